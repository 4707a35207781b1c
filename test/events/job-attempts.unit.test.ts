// Attempts count handler starts, not claims; a worker that stops beating loses its jobs within the
// heartbeat timeout, not the lease; its late results are refused; it fences its own claims after a gap.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { createJobQueue } from '../../src/queue/create-job-queue.ts'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import type { ClaimedJob } from '../../src/queue/job-types.ts'
import { createQueueMaintenance } from '../../src/queue/queue-maintenance.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { registerProcess } from '../../src/runtime/process-registry.ts'
import { claimFence } from '../../src/worker/claim-fence.ts'
import { tempDir } from '../helpers/cli.ts'

const TYPES = JSON.stringify(['work'])
const start = (j: ClaimedJob) => ({ id: j.id, token: j.token, attempt: j.attempt, at: Date.now() })

async function setup(t: Parameters<typeof tempDir>[0], jobs: number, options: { maxAttempts?: number } = {}) {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(() => db.close())
  await enqueueJobs(
    db,
    Array.from({ length: jobs }, (_, i) => ({ eventType: 'work', runAt: Date.now() - jobs + i })),
  )
  const worker = registerProcess(db, 'worker', { heartbeatMs: 3600_000 })
  t.onTestFinished(() => worker.stop())
  const maxAttempts = options.maxAttempts ?? 5
  const queue = createJobQueue(db, { owner: worker.id, leaseMs: 60_000, maxAttempts })
  const maintenance = createQueueMaintenance(db, { maxAttempts, retentionMs: 60_000, heartbeatTimeoutMs: 1000 })
  /** The worker goes silent: its last heartbeat is older than the timeout (as after kill -9). */
  const silence = () =>
    db.prepare('UPDATE processes SET heartbeat_at = ? WHERE id = ?').run(new Date(Date.now() - 1500).toISOString(), worker.id)
  return { db, worker, queue, maintenance, silence, admin: createJobAdmin(db) }
}

test('a claimed job that never started goes back without using an attempt; one whose handler started uses one', async (t) => {
  const { queue, maintenance, silence, admin } = await setup(t, 3, { maxAttempts: 1 })
  const [running, held, alsoHeld] = await queue.claim(10, TYPES)
  assert.deepEqual([running!.attempt, held!.attempt], [1, 1], 'the attempt each would be')
  assert.equal((await admin.get(held!.id)).attempts, 0, 'a claim is not an attempt')
  assert.deepEqual(await queue.markStarted([start(running!)]), [])
  assert.equal((await admin.get(running!.id)).attempts, 1, 'a handler start is')
  assert.equal(await maintenance.hasStale(), false, 'a beating worker keeps its jobs')
  silence()
  assert.equal(await maintenance.hasStale(), true)
  const requeued = await maintenance.requeueExpired()
  assert.deepEqual(
    requeued.map((j) => [j.id, j.status]).sort(),
    [
      [running!.id, 'failed'],
      [held!.id, 'pending'],
      [alsoHeld!.id, 'pending'],
    ].sort(),
    'with maxAttempts 1 only the started job fails',
  )
  const failed = await admin.get(running!.id)
  assert.match(failed.lastError ?? '', /stopped during attempt 1: no heartbeat for over 1000 ms/)
  const back = await admin.get(held!.id)
  assert.deepEqual([back.status, back.attempts, back.lastError, back.leaseOwner], ['pending', 0, null, null])
})

test('after a heartbeat requeue the stale worker cannot complete, fail or start the job another worker now holds', async (t) => {
  const { db, queue: stale, maintenance, silence, admin } = await setup(t, 2)
  const [first, second] = await stale.claim(10, TYPES)
  await stale.markStarted([start(first!)])
  silence()
  await maintenance.requeueExpired()
  const fresh = registerProcess(db, 'worker', { heartbeatMs: 3600_000 })
  t.onTestFinished(() => fresh.stop())
  const other = createJobQueue(db, { owner: fresh.id, leaseMs: 60_000, maxAttempts: 5 })
  const taken = await other.claim(10, TYPES)
  assert.deepEqual(
    taken.map((j) => [j.id, j.attempt]),
    [
      [first!.id, 2],
      [second!.id, 1],
    ],
    'the started job is on attempt 2, the unstarted one still on 1',
  )
  assert.deepEqual(
    await stale.markStarted([start(second!)]),
    [second!.id],
    'a late start on a lost claim is refused (the worker stops that handler)',
  )
  assert.deepEqual(
    await stale.complete([
      { id: first!.id, token: first!.token, attempt: 1, outcome: 'done' },
      { id: second!.id, token: second!.token, attempt: 1, outcome: 'failed', error: 'late' },
    ]),
    [first!.id, second!.id],
  )
  assert.deepEqual(
    (await admin.list()).map((j) => [j.status, j.leaseOwner]),
    [
      ['running', fresh.id],
      ['running', fresh.id],
    ],
  )
  assert.deepEqual(await other.complete(taken.map((j) => ({ id: j.id, token: j.token, attempt: j.attempt, outcome: 'done' as const }))), [])
  assert.deepEqual((await admin.list()).map((j) => [j.status, j.attempts]).sort(), [
    ['done', 1],
    ['done', 2],
  ])
})

test('a release (SIGTERM) gives back started and unstarted jobs without using an attempt', async (t) => {
  const { queue, admin } = await setup(t, 3)
  const [a, b, c] = await queue.claim(10, TYPES)
  await queue.markStarted([start(a!)])
  await queue.complete([
    { id: a!.id, token: a!.token, attempt: 1, outcome: 'released' },
    { id: b!.id, token: b!.token, attempt: 1, outcome: 'released' },
  ])
  assert.equal(await queue.releaseAll(), 1)
  for (const id of [a!.id, b!.id, c!.id])
    assert.deepEqual([(await admin.get(id)).status, (await admin.get(id)).attempts], ['pending', 0], `event ${id}`)
})

test("confirm beats the worker's heartbeat and renews its leases in one commit; a stopped worker cannot confirm", async (t) => {
  const { db, worker, queue } = await setup(t, 1)
  db.prepare('UPDATE processes SET heartbeat_at = ? WHERE id = ?').run('2000-01-01T00:00:00.000Z', worker.id)
  const [job] = await queue.claim(1, TYPES)
  db.prepare('UPDATE jobs SET lease_expires_at = 1').run()
  const at = await queue.confirm()
  assert.ok(at !== null && Date.now() - at < 1000)
  assert.equal(db.prepare('SELECT heartbeat_at FROM processes WHERE id = ?').pluck().get(worker.id), new Date(at).toISOString())
  assert.ok((db.prepare('SELECT lease_expires_at FROM jobs WHERE id = ?').pluck().get(job!.id) as number) > Date.now() + 50_000)
  await worker.stop()
  assert.equal(await queue.confirm(), null)
})

test('the claim fence: jobs start only while confirmations are fresh, and a gap voids every older claim', () => {
  const fence = claimFence(1000)
  const t0 = 1_000_000
  assert.equal(fence.valid(undefined, t0), false, 'never confirmed: nothing starts')
  fence.confirmed(t0)
  const epoch = fence.epoch()
  assert.equal(fence.valid(epoch, t0 + 900), true)
  assert.equal(fence.valid(epoch, t0 + 1100), false, 'no confirmation for longer than the fence: stop')
  assert.equal(fence.confirmed(t0 + 800), false)
  assert.equal(fence.valid(epoch, t0 + 1700), true, 'confirmed without a gap: older claims still stand')
  assert.equal(fence.confirmed(t0 + 3000), true, 'a gap of 2200 ms')
  assert.equal(fence.valid(epoch, t0 + 3001), false, 'confirmed again, but claims from before the gap may have been requeued')
  assert.equal(fence.valid(fence.epoch(), t0 + 3001), true, 'new claims are fine')
})
