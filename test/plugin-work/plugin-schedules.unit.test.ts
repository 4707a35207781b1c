import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'vitest'
import { createJobQueue } from '../../src/queue/create-job-queue.ts'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createScheduleFirer } from '../../src/schedules/fire-schedules.ts'
import { listSchedules } from '../../src/schedules/list-schedules.ts'
import { createRegistrationSync, type GenerationRegistrations } from '../../src/schedules/sync-plugin-registrations.ts'
import { tempDir } from '../helpers/cli.ts'

function setup(t: Parameters<typeof tempDir>[0]) {
  const db = openRuntimeDb(join(tempDir(t), 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  const sync = createRegistrationSync(db)
  const fire = createScheduleFirer(db)
  const runs = (type = 'app.job:harvester:harvest') =>
    db.prepare('SELECT id, run_at, status FROM jobs WHERE event_type = ? ORDER BY run_at').all(type) as Array<{
      id: number
      run_at: number
      status: string
    }>
  const row = (key = 'app.job:harvester:harvest') =>
    db.prepare('SELECT * FROM schedules WHERE key = ?').get(key) as {
      id: number
      next_run_at: number
      schedule: string
      paused: number
      last_run_at: number | null
    }
  return { db, sync, fire, runs, row }
}

const generation = (
  id: number,
  plugins: Array<{ name: string; jobs?: unknown[]; hooks?: string[]; status?: string }>,
): GenerationRegistrations => ({
  id,
  plugins: plugins.map((p) => ({
    name: p.name,
    status: p.status ?? 'ok',
    registered: { filters: [], actions: [], eventTypes: [], routes: [], frontend: [], jobs: p.jobs, hooks: p.hooks },
  })),
})
const every = (ms: number) => ({ kind: 'interval', everyMs: ms })

describe('plugin jobs (jobs.schedule) in the scheduler', () => {
  test('one schedule per (plugin, id), fired once per due time however often the firer runs', async (t) => {
    const { sync, fire, runs, row, db } = setup(t)
    const r = sync.immediate(
      generation(1, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(1000) }], hooks: ['resource.modified'] }]),
    )
    assert.deepEqual([r.added, r.hooks], [1, 1])
    assert.equal(
      sync.immediate(generation(1, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(1000) }] }])).added,
      0,
      'synced again: nothing new',
    )
    const due = row().next_run_at
    // Two schedulers' worth of passes at the same instants (a retried tick, a restart): one job per due time.
    for (const now of [due, due, due + 10, due + 1000, due + 1000]) await fire(now)
    assert.deepEqual(
      runs().map((j) => j.run_at),
      [due, due + 1000],
    )
    assert.deepEqual(db.prepare('SELECT event, plugin FROM hook_subscriptions').all(), [])
  })

  test('a new schedule for the same id replaces the old; a plugin that leaves is paused (no firing, pending runs cancelled) and resumes when it returns', async (t) => {
    const { sync, fire, runs, row, db } = setup(t)
    sync.immediate(generation(1, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(1000) }] }]))
    const first = row()
    assert.equal(sync.immediate(generation(2, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(60_000) }] }])).replaced, 1)
    assert.equal(row().id, first.id)
    assert.deepEqual(JSON.parse(row().schedule), every(60_000))
    await fire(row().next_run_at)
    assert.equal(runs().length, 1)
    const left = sync.immediate(generation(3, [{ name: 'other' }]))
    assert.deepEqual([left.paused, left.cancelledRuns], [1, 1])
    assert.equal(runs()[0]!.status, 'cancelled')
    assert.equal(await fire(row().next_run_at + 600_000), 0, 'a paused schedule does not fire')
    const listed = await listSchedules(db)
    assert.deepEqual(
      listed.map((s) => [s.plugin, s.id, s.kind, s.active, s.nextRunAt]),
      [['harvester', 'harvest', 'job', false, null]],
    )
    assert.equal(listed[0]!.lastRunAt, new Date(row().last_run_at!).toISOString())
    const back = sync.immediate(generation(4, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: every(60_000) }] }]))
    assert.equal(back.resumed, 1)
    assert.equal(row().paused, 0)
    assert.equal(await fire(row().next_run_at), 1, 'it fires again, with its rhythm kept')
  })

  test('a failed plugin version (status error) registers nothing; a once-job runs once and stays parked across syncs', async (t) => {
    const { sync, fire, runs, row } = setup(t)
    const at = new Date(Date.now() + 60_000).toISOString()
    sync.immediate(
      generation(1, [
        { name: 'broken', status: 'error', jobs: [{ id: 'x', schedule: every(1000) }] },
        { name: 'harvester', jobs: [{ id: 'harvest', schedule: { kind: 'once', at } }] },
      ]),
    )
    assert.equal(row('app.job:broken:x'), undefined)
    assert.equal(await fire(Date.parse(at)), 1)
    sync.immediate(generation(2, [{ name: 'harvester', jobs: [{ id: 'harvest', schedule: { kind: 'once', at } }] }, { name: 'x' }]))
    assert.equal(await fire(Date.now() + 3600e3), 0)
    assert.equal(runs().length, 1)
  })
})

describe('PermanentError', () => {
  test('a result marked permanent fails at once, where a plain failure is retried', async (t) => {
    const { db } = setup(t)
    await enqueueJobs(db, [
      { eventType: 't.a', runAt: Date.now() },
      { eventType: 't.b', runAt: Date.now() },
    ])
    const queue = createJobQueue(db, { owner: 'w', leaseMs: 30_000, maxAttempts: 5 })
    const [a, b] = await queue.claim(10, JSON.stringify(['t.a', 't.b']))
    await queue.complete([
      {
        id: a!.id,
        token: a!.token,
        attempt: 1,
        outcome: 'failed',
        error: 'not retried (PermanentError): queue does not exist',
        permanent: true,
      },
      { id: b!.id, token: b!.token, attempt: 1, outcome: 'failed', error: 'boom' },
    ])
    const status = db.prepare('SELECT event_type, status, attempts FROM jobs ORDER BY id').all()
    assert.deepEqual(status, [
      { event_type: 't.a', status: 'failed', attempts: 1 },
      { event_type: 't.b', status: 'pending', attempts: 1 },
    ])
  })
})
