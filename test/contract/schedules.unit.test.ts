// Recurring schedules (ScheduleStore port) on both backends: the scheduler fires due schedules into jobs and
// makes plugin jobs follow the generation, plugins schedule bot events, operators list them. On PostgreSQL the
// scheduler's database role fires and syncs, the worker's adds, the web's lists, as in production.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import type { BotStore } from '../../src/bots/bot-port.ts'
import { createPostgresBots } from '../../src/bots/postgres-bots.ts'
import { createSqliteBots } from '../../src/bots/sqlite-bots.ts'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { createPostgresHostServices } from '../../src/host/postgres-host-services.ts'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import { createPostgresJobAdmin } from '../../src/queue/postgres-job-admin.ts'
import { createPostgresSchedules } from '../../src/schedules/postgres-schedules.ts'
import type { GenerationRegistrations } from '../../src/schedules/registration-plan.ts'
import type { ScheduleStore } from '../../src/schedules/schedule-port.ts'
import type { NewSchedule } from '../../src/schedules/schedule-writer.ts'
import { createSqliteSchedules } from '../../src/schedules/sqlite-schedules.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

/** Each role's store on its own connection (on SQLite: its own handle on the one runtime.db). */
const schedulesOf = (b: RuntimeBackend, role: DbRoleName): ScheduleStore =>
  b.kind === 'sqlite' ? createSqliteSchedules(role === 'scheduler' ? b.db : b.open()) : createPostgresSchedules(b.pools[role])
/** What plugin code gets in a worker (DbObjects, ScheduledEventTracker). */
const servicesOf = (b: RuntimeBackend) =>
  b.kind === 'sqlite'
    ? createHostServices(b.db)
    : createPostgresHostServices(b.pools.worker, { jobs: createPostgresJobAdmin(b.pools.worker) })
const botsOf = (b: RuntimeBackend): BotStore => (b.kind === 'sqlite' ? createSqliteBots(b.open()) : createPostgresBots(b.pools.worker))

type JobRow = { event_type: string; bot: string | null; run_at: number; status: string; schedule_id: number | null; owner: string | null }
async function jobs(b: RuntimeBackend): Promise<JobRow[]> {
  const sql = 'SELECT event_type, bot, run_at, status, schedule_id, owner FROM $jobs ORDER BY schedule_id, run_at, id'
  return (
    b.kind === 'sqlite'
      ? b.db.prepare(sql.replace('$jobs', 'jobs')).all()
      : (await b.admin.query(sql.replace('$jobs', 'runtime.jobs'))).rows
  ) as JobRow[]
}

const MINUTE = 60_000
const every = (everyMs: number) => ({ kind: 'interval' as const, everyMs })
const event = (key: string, nextRunAt: number, extra: Partial<NewSchedule> = {}): NewSchedule => ({
  key,
  eventType: 'custom.check',
  bot: 'b1',
  resource: 'i-1',
  schedule: every(MINUTE),
  nextRunAt,
  owner: 'ops',
  ...extra,
})
const generation = (id: number, plugins: Array<{ name: string; jobs?: unknown[]; status?: string }>): GenerationRegistrations => ({
  id,
  plugins: plugins.map((p) => ({ name: p.name, status: p.status ?? 'ok', registered: { jobs: p.jobs ?? [] } })),
})

describe.each(BACKENDS)('schedules on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('a due schedule fires one job for its due time and its next run advances; firing again adds nothing', async (t) => {
    const b = await open(t)
    const t0 = Date.now() - 10_000
    await schedulesOf(b, 'worker').add([], [event('every-minute', t0, { payload: { n: 1 } })])
    const scheduler = schedulesOf(b, 'scheduler')
    assert.equal(await scheduler.fire(t0 - 1), 0, 'not due yet')
    assert.equal(await scheduler.fire(t0 + 10_000), 1)
    assert.equal(await scheduler.fire(t0 + 10_000), 0, 'the same tick again')
    const [listed] = await schedulesOf(b, 'web').list()
    assert.deepEqual([listed?.nextRunAt, listed?.lastRunAt], [new Date(t0 + MINUTE).toISOString(), new Date(t0 + 10_000).toISOString()])
    // The scheduler was down for three intervals: one run, then the rhythm resumes.
    assert.equal(await scheduler.fire(t0 + 3.5 * MINUTE), 1)
    assert.equal((await schedulesOf(b, 'web').list())[0]?.nextRunAt, new Date(t0 + 4 * MINUTE).toISOString())
    assert.deepEqual(
      (await jobs(b)).map((j) => [j.event_type, j.bot, j.run_at, j.status, j.owner]),
      [
        ['custom.check', 'b1', t0, 'pending', 'ops'],
        ['custom.check', 'b1', t0 + MINUTE, 'pending', 'ops'],
      ],
    )
  })

  test('a due schedule fires once even when two schedulers’ ticks race', async (t) => {
    const b = await open(t)
    const t0 = Date.now() - 10_000
    const count = 120
    await schedulesOf(b, 'worker').add(
      [],
      Array.from({ length: count }, (_, i) => event(`s${i}`, t0)),
    )
    const one = schedulesOf(b, 'scheduler')
    const two = schedulesOf(b, kind === 'sqlite' ? 'web' : 'scheduler') // a second connection
    let fired = 0
    for (let round = 0; round < 4; round++) {
      const now = t0 + round * MINUTE
      const both = await Promise.all([one.fire(now), two.fire(now), one.fire(now), two.fire(now)])
      fired += both.reduce((a, n) => a + n, 0)
    }
    const all = await jobs(b)
    assert.equal(all.length, count * 4, 'one job per schedule and due time')
    assert.equal(new Set(all.map((j) => `${j.schedule_id}@${j.run_at}`)).size, all.length, 'no due time twice')
    assert.equal(fired, all.length, 'the firers count only the jobs they added')
  })

  test('adding once-jobs and schedules is all or nothing, and adding them again changes nothing', async (t) => {
    const b = await open(t)
    const worker = schedulesOf(b, 'worker')
    const at = Date.now() + MINUTE
    const once = { eventType: 'custom.start', bot: 'b1', resource: 'i-1', runAt: at, owner: 'ops', idempotencyKey: 'event-1' }
    await assert.rejects(worker.add([once], [event('good', at), event('bad', at, { eventType: null as never })]))
    assert.deepEqual([await jobs(b), await worker.list()], [[], []], 'the failed block left nothing')
    await worker.add([once], [event('good', at)])
    await worker.add([once], [event('good', at + 5 * MINUTE, { description: 'renamed' })])
    assert.equal((await jobs(b)).length, 1, 'the same once-job key is one job')
    const listed = await schedulesOf(b, 'web').list()
    assert.deepEqual(
      listed.map((s) => [s.kind, s.plugin, s.id, s.nextRunAt, s.active]),
      [['event', 'ops', 'custom.check', new Date(at).toISOString(), true]],
      'the same schedule keeps its rhythm',
    )
  })

  test('a plugin job that leaves the generation is paused (its pending runs cancelled) and does not fire; it resumes on return', async (t) => {
    const b = await open(t)
    const scheduler = schedulesOf(b, 'scheduler')
    const harvest = { id: 'harvest', schedule: every(MINUTE) }
    const added = await scheduler.syncRegistrations(
      generation(1, [
        { name: 'harvester', jobs: [harvest] },
        { name: 'broken', status: 'error', jobs: [harvest] },
      ]),
    )
    assert.deepEqual([added.added, added.paused], [1, 0], 'a plugin published as failed gets no job')
    const now = Date.now()
    assert.equal(await scheduler.fire(now + MINUTE), 1)
    const left = await scheduler.syncRegistrations(generation(2, []))
    assert.deepEqual([left.paused, left.cancelledRuns], [1, 1])
    assert.deepEqual(
      (await jobs(b)).map((j) => [j.event_type, j.status]),
      [['app.job:harvester:harvest', 'cancelled']],
    )
    const [paused] = await schedulesOf(b, 'web').list()
    assert.deepEqual(
      [paused?.kind, paused?.plugin, paused?.id, paused?.active, paused?.nextRunAt],
      ['job', 'harvester', 'harvest', false, null],
    )
    assert.equal(await scheduler.fire(now + 10 * MINUTE), 0, 'paused: does not fire')
    const back = await scheduler.syncRegistrations(generation(3, [{ name: 'harvester', jobs: [harvest] }]))
    assert.deepEqual([back.resumed, back.added], [1, 0])
    assert.equal(await scheduler.fire(now + 10 * MINUTE), 1, 'resumed: fires again')
    const changed = await scheduler.syncRegistrations(
      generation(4, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(2 * MINUTE) }] }]),
    )
    assert.equal(changed.replaced, 1)
    assert.deepEqual((await schedulesOf(b, 'web').list())[0]?.schedule, every(2 * MINUTE))
  })

  test('a bot schedule fires bot runs while the bot is enabled and goes once it is not; a plugin once-job stays parked', async (t) => {
    const b = await open(t)
    const bots = botsOf(b)
    const scheduler = schedulesOf(b, 'scheduler')
    const apply = (enabled: boolean) =>
      bots.apply(
        [{ name: 'nightly', enabled, resourceTypes: ['instance'], action: { uid: 'start' }, schedule: { intervalSeconds: 60 } }],
        null,
      )
    await apply(true)
    const now = Date.now()
    assert.equal(await scheduler.fire(now + 2 * MINUTE), 1)
    assert.deepEqual(
      (await jobs(b)).map((j) => [j.event_type, j.bot, j.owner]),
      [['app.bot_run', 'nightly', 'bots']],
    )
    // Disabled behind the schedule's back (as a restore might leave it): the next tick drops the schedule.
    const sql = "UPDATE $bots SET enabled = 0 WHERE name = 'nightly'"
    if (b.kind === 'sqlite') b.db.exec(sql.replace('$bots', 'bots'))
    else await b.admin.query(sql.replace('$bots', 'runtime.bots'))
    assert.equal(await scheduler.fire(now + 10 * MINUTE), 0)
    assert.deepEqual(await scheduler.list(), [])
    const at = new Date(now + 90_000).toISOString()
    await scheduler.syncRegistrations(generation(1, [{ name: 'p', jobs: [{ id: 'once', schedule: { kind: 'once', at } }] }]))
    assert.equal(await scheduler.fire(now + 2 * MINUTE), 1)
    assert.equal(await scheduler.fire(now + 100 * MINUTE), 0)
    const [parked] = await scheduler.list()
    assert.deepEqual([parked?.id, parked?.active, parked?.nextRunAt], ['once', true, null], 'kept, so the next sync does not add it again')
    assert.equal(
      (await scheduler.syncRegistrations(generation(2, [{ name: 'p', jobs: [{ id: 'once', schedule: { kind: 'once', at } }] }]))).added,
      0,
    )
  })

  test('plugins schedule bot events through the host services: checked as a block, written whole, seen by DbObjects', async (t) => {
    const b = await open(t)
    const services = servicesOf(b)
    await botsOf(b).apply([{ name: 'b1', resourceTypes: ['instance'], action: { uid: 'start' } }], null)
    const bot = await services.bots.get('b1')
    assert.deepEqual(
      (await services.bots.list()).map((x) => x.name),
      ['b1'],
    )
    const at = new Date(Date.now() + MINUTE).toISOString()
    const once = {
      bot: bot!,
      resource: 'i-1',
      description: 'start it',
      eventType: 'custom.start',
      scheduleData: { kind: 'once' as const, at },
    }
    const cron = {
      bot: 'b1',
      resource: 'i-1',
      description: 'check',
      eventType: 'custom.check',
      scheduleData: { kind: 'cron' as const, expr: '0 * * * *' },
    }
    await assert.rejects(
      services.scheduleBotEvents([once, { ...cron, scheduleData: { kind: 'cron', expr: 'nope' } }], 'ops'),
      /scheduleBotEvent #2 \(custom\.check\): scheduleData: invalid cron schedule "nope"/,
    )
    assert.deepEqual(await services.events.find(), [], 'a bad request: none of the block is written')
    await services.scheduleBotEvents([once, cron], 'ops')
    await services.scheduleBotEvents([once, cron], 'ops')
    assert.deepEqual(
      (await services.events.find({ eventType: 'custom.start' })).map((e) => [e.bot, e.resource, e.description, e.status, e.runAt]),
      [['b1', 'i-1', 'start it', 'pending', at]],
    )
    assert.deepEqual(
      (await schedulesOf(b, 'web').list()).map((s) => [s.kind, s.plugin, s.eventType, s.schedule]),
      [['event', 'ops', 'custom.check', { kind: 'cron', expr: '0 * * * *' }]],
    )
  })
})
