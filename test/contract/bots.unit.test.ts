// The bots (BotStore port) on both backends: what `app bots apply` writes (with the bots' schedules) and what
// bot runs and plugins read. On PostgreSQL apply and reads run as the worker's database role, listings as the
// web's, as in production.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import type { BotStore } from '../../src/bots/bot-port.ts'
import { createPostgresBots } from '../../src/bots/postgres-bots.ts'
import type { RegisteredIds } from '../../src/bots/registered-ids.ts'
import { createSqliteBots } from '../../src/bots/sqlite-bots.ts'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import { createPostgresSchedules } from '../../src/schedules/postgres-schedules.ts'
import type { ScheduleStore } from '../../src/schedules/schedule-port.ts'
import { createSqliteSchedules } from '../../src/schedules/sqlite-schedules.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

const botsOf = (b: RuntimeBackend, role: DbRoleName = 'worker'): BotStore =>
  b.kind === 'sqlite' ? createSqliteBots(role === 'worker' ? b.db : b.open()) : createPostgresBots(b.pools[role])
const schedulesOf = (b: RuntimeBackend, role: DbRoleName): ScheduleStore =>
  b.kind === 'sqlite' ? createSqliteSchedules(b.open()) : createPostgresSchedules(b.pools[role])

const bot = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  resourceTypes: ['instance'],
  filters: [{ queryId: 'stopped', settings: { minutes: 5 } }],
  action: { uid: 'start', settings: {} },
  ...extra,
})

/** A generation whose plugin registers the filter `stopped` (an int setting `minutes`, instances only) and the action `start`. */
const registered: RegisteredIds = {
  generation: 3,
  queries: new Set(['stopped']),
  actions: new Set(['start']),
  eventTypes: new Set(),
  known: true,
  filterSpecs: new Map([
    ['stopped', { plugin: 'ops', supportedResources: ['instance'], settingsConfig: [{ name: 'minutes', type: 'int' }] }],
  ]),
  actionSpecs: new Map([['start', { plugin: 'ops', settingsConfig: [] }]]),
}

describe.each(BACKENDS)('bots on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('apply creates then updates bots; get and list (names in byte order) give them back as written', async (t) => {
    const b = await open(t)
    const bots = botsOf(b)
    const first = await bots.apply(
      [bot('stop-b'), bot('Alpha', { enabled: false }), bot('stop-b', { resourceTypes: ['instance', 'volume'] })],
      null,
    )
    assert.deepEqual(first.applied, [
      { name: 'stop-b', created: true },
      { name: 'Alpha', created: true },
      { name: 'stop-b', created: false },
    ])
    assert.match(first.unchecked ?? '', /no plugin store/)
    const second = await bots.apply({ bots: [bot('Alpha'), bot('zeta')] }, null)
    assert.deepEqual(second.applied, [
      { name: 'Alpha', created: false },
      { name: 'zeta', created: true },
    ])
    const web = botsOf(b, 'web')
    assert.deepEqual(
      (await web.list()).map((x) => [x.name, x.enabled]),
      [
        ['Alpha', true],
        ['stop-b', true],
        ['zeta', true],
      ],
    )
    assert.deepEqual(await web.get('stop-b'), {
      name: 'stop-b',
      enabled: true,
      resourceTypes: ['instance', 'volume'],
      filters: [{ queryId: 'stopped', settings: { minutes: 5 } }],
      action: { uid: 'start', settings: {} },
      schedule: null,
    })
    assert.equal(await web.get('nope'), null)
  })

  test('bad bots are reported by index and field while good ones land; settings that do not fit stop the whole file', async (t) => {
    const b = await open(t)
    const bots = botsOf(b)
    const mixed = await bots.apply(
      [bot('ok'), { name: 'no action', resourceTypes: [] }, bot('odd', { action: { uid: 'explode' } })],
      registered,
    )
    assert.deepEqual(mixed.applied, [
      { name: 'ok', created: true },
      { name: 'odd', created: true },
    ])
    assert.deepEqual(
      mixed.rejected.map((r) => [r.index, r.field]),
      [
        [1, 'name'],
        [1, 'resourceTypes'],
        [1, 'action'],
      ],
    )
    assert.deepEqual(
      mixed.unknown.map((u) => [u.bot, u.kind, u.id]),
      [['odd', 'action', 'explode']],
    )
    const invalid = await bots.apply(
      [bot('ok', { enabled: false }), bot('later', { filters: [{ queryId: 'stopped', settings: { minutes: 'five' } }] })],
      registered,
    )
    assert.deepEqual(invalid.applied, [])
    assert.match(invalid.invalid[0]!.message, /bot "later": filter "stopped": setting "minutes": expected a whole number; found "five"/)
    assert.deepEqual(
      (await bots.list()).map((x) => [x.name, x.enabled]),
      [
        ['odd', true],
        ['ok', true],
      ],
      'nothing of the refused file landed',
    )
    const notList = await bots.apply({ name: 'x' }, registered)
    assert.match(notList.rejected[0]!.message, /expected a JSON array of bots/)
  })

  test('an enabled bot with a schedule gets one; the same schedule keeps its rhythm, a new one starts over, disabling removes it', async (t) => {
    const b = await open(t)
    const bots = botsOf(b)
    const web = schedulesOf(b, 'web')
    const listed = async () => (await web.list()).map((s) => [s.kind, s.id, s.schedule, s.nextRunAt])
    const before = Date.now()
    await bots.apply([bot('hourly', { schedule: { intervalSeconds: 3600 } }), bot('manual')], null)
    const [first] = await listed()
    assert.deepEqual(first?.slice(0, 3), ['bot', 'hourly', { kind: 'interval', everyMs: 3_600_000 }])
    assert.ok(Date.parse(first![3] as string) >= before + 3_600_000, 'first run an interval from now')
    assert.equal((await listed()).length, 1, 'a bot without a schedule runs only on demand')
    await new Promise((r) => setTimeout(r, 5))
    await bots.apply([bot('hourly', { schedule: { intervalSeconds: 3600 } })], null)
    assert.deepEqual(await listed(), [first], 'applied again: same next run')
    await bots.apply([bot('hourly', { schedule: { cron: '0 3 * * *', timezone: 'UTC' } })], null)
    const [changed] = await listed()
    assert.deepEqual(changed?.slice(2), [{ kind: 'cron', expr: '0 3 * * *', timezone: 'UTC' }, changed![3]])
    assert.match(changed![3] as string, /T03:00:00\.000Z$/)
    await bots.apply([bot('hourly', { enabled: false, schedule: { intervalSeconds: 3600 } })], null)
    assert.deepEqual(await listed(), [], 'a disabled bot has no schedule')
  })
})
