// long file: one contract suite, every queue guarantee as a case on both backends
// The job queue on both backends: claims, leases and claim tokens (no job run twice at a time, a stale worker's
// results refused), attempts counted at handler start, retries with backoff, orphaned jobs kept, releases on
// shutdown, the scheduler's requeue and prune, and the operator's retry and cancel. On PostgreSQL every worker
// operation runs as the worker's database role and every maintenance one as the scheduler's; what only PostgreSQL
// has (NOTIFY wake-ups, the worker role's grants on its own) is in queue-postgres.unit.test.ts.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import { BOT_RUN } from '../../src/queue/job-types.ts'
import { drain, queueFixture, result, start, TYPES, workerQueue } from './queue-fixture.ts'
import { BACKENDS, useRuntimeBackend } from './runtime-backends.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const due = (n: number, extra: { eventType?: string; owner?: string } = {}) =>
  Array.from({ length: n }, (_, i) => ({ eventType: 'work', runAt: Date.now() - n + i, ...extra }))

describe.each(BACKENDS)('job queue on %s', (kind) => {
  const open = useRuntimeBackend(kind)
  const setup = async (t: Parameters<typeof open>[0]) => queueFixture(await open(t))

  test('a claim takes due jobs of the worker types and bot runs, in run_at order, once; later ones wait for their time', async (t) => {
    const f = await setup(t)
    const now = Date.now()
    const landed = await f.role.scheduler.enqueue([
      { eventType: 'work', runAt: now - 20, payload: { n: 1, s: "it's" }, owner: 'plugin-a', idempotencyKey: 'k1' },
      { eventType: 'work', runAt: now - 20, idempotencyKey: 'k1' },
      { eventType: BOT_RUN, runAt: now - 10, bot: 'b1' },
      { eventType: 'other', runAt: now - 30 },
      { eventType: 'work', runAt: now + 60_000, description: 'later' },
    ])
    assert.equal(landed, 4, 'the repeated idempotency key is ignored')
    assert.equal(await f.role.scheduler.enqueue([{ eventType: 'work', runAt: now, idempotencyKey: 'k1' }]), 0)
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const jobs = await q.claim(10, TYPES)
    assert.deepEqual(
      jobs.map((j) => [j.eventType, j.payload, j.owner, j.bot, j.attempt]),
      [
        ['work', { n: 1, s: "it's" }, 'plugin-a', null, 1],
        [BOT_RUN, null, null, 'b1', 1],
      ],
    )
    assert.equal(new Set(jobs.map((j) => j.token)).size, 1, 'one claim, one token')
    assert.deepEqual(await q.claim(10, TYPES), [], 'claimed jobs are not claimed again, the future one is not due')
    assert.equal(await q.nextDueAt(TYPES), now + 60_000)
    assert.equal(await q.nextDueAt(JSON.stringify(['other'])), now - 30)
    assert.equal((await f.role.web.admin.get(jobs[0]!.id)).status, 'running')
  })

  test("event types are matched exactly, whatever characters a plugin's type name holds", async (t) => {
    const f = await setup(t)
    const odd = ["it's", 'back\\slash', 'dollar $1', 'quote " and ; COMMIT; --', 'ünïcode']
    await f.role.scheduler.enqueue([...odd, 'work'].map((eventType) => ({ eventType, runAt: Date.now() - 1 })))
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const jobs = await q.claim(10, JSON.stringify(odd))
    assert.deepEqual(jobs.map((j) => j.eventType).sort(), [...odd].sort())
    assert.deepEqual(
      (await q.claim(10, TYPES)).map((j) => j.eventType),
      ['work'],
    )
  })

  test('two workers claiming concurrently from one table never hold the same job', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(600))
    const a = workerQueue(f.role.worker, await f.registerWorker())
    const b = workerQueue(f.otherWorker, await f.registerWorker())
    const claimed = await Promise.all([drain(a, 25), drain(b, 25), drain(a, 25), drain(b, 25)])
    const all = claimed.flat()
    assert.equal(all.length, 600, 'every job claimed once')
    assert.equal(new Set(all).size, 600, 'no job claimed twice')
    // The claims really interleaved: both workers got work. (Each of the four claimers getting some is likely,
    // not certain: on a loaded machine one may start after the others have drained the table.)
    const [a1, b1, a2, b2] = claimed.map((c) => c.length) as [number, number, number, number]
    assert.ok(a1 + a2 > 0 && b1 + b2 > 0, `both workers got work: ${claimed.map((c) => c.length)}`)
    assert.deepEqual(await f.role.web.admin.counts(), { pending: 0, running: 0, done: 600, failed: 0, cancelled: 0, orphaned: 0 })
  })

  test('attempts count handler starts, not claims; a silent worker loses its jobs, only started ones used an attempt', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(2))
    const owner = await f.registerWorker()
    const q = workerQueue(f.role.worker, owner, { maxAttempts: 1 })
    const maintenance = f.role.scheduler.maintenance({ maxAttempts: 1, retentionMs: 60_000, heartbeatTimeoutMs: 1000 })
    const [running, held] = await q.claim(10, TYPES)
    assert.equal((await f.role.web.admin.get(held!.id)).attempts, 0, 'a claim is not an attempt')
    assert.deepEqual(await q.markStarted([start(running!)]), [])
    assert.deepEqual(await q.markStarted([start(running!)]), [], 'marking it again (a retried flush) is fine')
    assert.equal((await f.role.web.admin.get(running!.id)).attempts, 1, 'a handler start is')
    assert.equal(await maintenance.hasStale(), false, 'a beating worker keeps its jobs')
    await f.sql('UPDATE runtime.processes SET heartbeat_at = $1 WHERE id = $2', [new Date(Date.now() - 1500).toISOString(), owner])
    assert.equal(await maintenance.hasStale(), true)
    const requeued = await maintenance.requeueExpired()
    assert.deepEqual(
      requeued.map((j) => [j.id, j.status]).sort(),
      [
        [running!.id, 'failed'],
        [held!.id, 'pending'],
      ].sort(),
    )
    assert.match((await f.role.web.admin.get(running!.id)).lastError ?? '', /stopped during attempt 1: no heartbeat for over 1000 ms/)
    const back = await f.role.web.admin.get(held!.id)
    assert.deepEqual([back.status, back.attempts, back.lastError, back.leaseOwner], ['pending', 0, null, null])
  })

  test('a lease that expires is requeued; the old claim token is refused, the new holder completes', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(2))
    const stale = workerQueue(f.role.worker, await f.registerWorker(), { leaseMs: 100 })
    const maintenance = f.role.scheduler.maintenance({ maxAttempts: 5, retentionMs: 60_000 })
    const [first, second] = await stale.claim(10, TYPES)
    await stale.markStarted([start(first!)])
    await sleep(150)
    assert.deepEqual(
      (await maintenance.requeueExpired()).map((j) => j.status),
      ['pending', 'pending'],
      'the lease ran out although the worker beats',
    )
    assert.match(
      (await f.role.web.admin.get(first!.id)).lastError ?? '',
      /lease expired during attempt 1: worker worker-\w+ stopped renewing it/,
    )
    const fresh = await f.registerWorker()
    const other = workerQueue(f.otherWorker, fresh)
    const taken = await other.claim(10, TYPES)
    assert.deepEqual(
      taken.map((j) => [j.id, j.attempt]),
      [
        [first!.id, 2],
        [second!.id, 1],
      ],
      'the started job is on attempt 2, the unstarted one still on 1',
    )
    assert.deepEqual(await stale.markStarted([start(second!)]), [second!.id], 'a late start on a lost claim is refused')
    assert.deepEqual(await stale.complete([result(first!, 'done'), result(second!, 'failed', { error: 'late' })]), [first!.id, second!.id])
    assert.equal(await stale.renew(), 0, 'the stale worker holds nothing to renew')
    assert.deepEqual(
      (await f.role.web.admin.list()).map((j) => [j.status, j.leaseOwner]),
      [
        ['running', fresh],
        ['running', fresh],
      ],
    )
    assert.deepEqual(await other.complete(taken.map((j) => result(j, 'done'))), [])
    assert.deepEqual((await f.role.web.admin.list()).map((j) => [j.status, j.attempts]).sort(), [
      ['done', 1],
      ['done', 2],
    ])
  })

  test("a worker's confirmations and lease renewals running while its results are written neither fail nor deadlock", async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(1200))
    const owner = await f.registerWorker()
    const q = workerQueue(f.role.worker, owner)
    // The confirm timer runs beside the flush, on another connection; results come in any order.
    const timer = workerQueue(f.otherWorker, owner)
    for (let round = 0; round < 6; round++) {
      const jobs = await q.claim(200, TYPES)
      const [lost] = await Promise.all([
        q.complete(jobs.reverse().map((j) => result(j, 'done'))),
        timer.confirm(),
        timer.renew(),
        timer.confirm(),
      ])
      assert.deepEqual(lost, [], `round ${round}`)
    }
    assert.equal((await f.role.web.admin.counts()).done, 1200)
  })

  test('a requeue racing a worker writing its results: each job ends done or requeued, never both, and nothing deadlocks', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(600))
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const maintenance = f.role.scheduler.maintenance({ maxAttempts: 5, retentionMs: 60_000 })
    let requeuedTotal = 0
    for (let round = 0; round < 3; round++) {
      const jobs = await q.claim(200, TYPES)
      await f.sql(`UPDATE runtime.jobs SET lease_expires_at = 1 WHERE status = 'running'`)
      const [lost, requeued] = await Promise.all([q.complete(jobs.reverse().map((j) => result(j, 'done'))), maintenance.requeueExpired()])
      assert.deepEqual(lost.sort(), requeued.map((j) => j.id).sort(), 'a result is dropped exactly when its job went back')
      requeuedTotal += requeued.length
    }
    assert.equal((await drain(q, 200)).length, requeuedTotal, 'the requeued ones run again')
    assert.equal((await f.role.web.admin.counts()).done, 600)
  })

  test('a failure is retried after a backoff, fails for good after maxAttempts; a permanent failure is not retried', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(2))
    const owner = await f.registerWorker()
    const q = workerQueue(f.role.worker, owner, { maxAttempts: 2 })
    const [flaky, broken] = await q.claim(10, TYPES)
    const before = Date.now()
    assert.deepEqual(
      await q.complete([result(flaky!, 'failed', { error: 'boom' }), result(broken!, 'failed', { error: 'bad input', permanent: true })]),
      [],
    )
    const retried = await f.role.web.admin.get(flaky!.id)
    assert.deepEqual([retried.status, retried.attempts, retried.lastError, retried.leaseOwner], ['pending', 1, 'boom', null])
    const delay = Date.parse(retried.runAt) - before
    assert.ok(delay >= 1000 && delay <= 1100 + (Date.now() - before), `first retry after 1 s plus jitter, found ${delay} ms`)
    const failed = await f.role.web.admin.get(broken!.id)
    assert.deepEqual([failed.status, failed.attempts, failed.lastError], ['failed', 1, 'bad input'])
    assert.deepEqual(await q.claim(10, TYPES), [], 'not before its time')
    assert.equal(await q.nextDueAt(TYPES), Date.parse(retried.runAt))
    const later = workerQueue(f.role.worker, owner, { maxAttempts: 2, clock: () => Date.now() + 2000 })
    const [again] = await later.claim(10, TYPES)
    assert.deepEqual([again!.id, again!.attempt], [flaky!.id, 2])
    assert.deepEqual(await later.complete([result(again!, 'failed', { error: 'boom again' })]), [])
    const final = await f.role.web.admin.get(flaky!.id)
    assert.deepEqual([final.status, final.attempts, final.lastError], ['failed', 2, 'boom again'])
    assert.ok(final.finishedAt !== null)
  })

  test('due events of types no worker here runs are kept as orphaned and run when a worker with the type claims', async (t) => {
    const f = await setup(t)
    const now = Date.now()
    await f.role.scheduler.enqueue([
      { eventType: 'gone', runAt: now - 10, owner: 'plugin-x' },
      { eventType: BOT_RUN, runAt: now - 10, bot: 'b' },
      { eventType: 'gone', runAt: now + 60_000 },
    ])
    const q = workerQueue(f.role.worker, await f.registerWorker())
    assert.deepEqual(await q.markOrphaned(TYPES), [{ eventType: 'gone', owner: 'plugin-x' }], 'bot runs and future events are not')
    assert.deepEqual(await q.markOrphaned(TYPES), [], 'once')
    assert.deepEqual((await f.role.web.admin.counts()).orphaned, 1)
    assert.deepEqual(
      (await q.claim(10, TYPES)).map((j) => j.eventType),
      [BOT_RUN],
    )
    const other = workerQueue(f.otherWorker, await f.registerWorker())
    const [orphan] = await other.claim(10, JSON.stringify(['gone']))
    assert.deepEqual([orphan!.eventType, orphan!.owner, orphan!.attempt], ['gone', 'plugin-x', 1])
    assert.deepEqual(await other.complete([result(orphan!, 'done')]), [])
    assert.equal((await f.role.web.admin.get(orphan!.id)).status, 'done')
  })

  test('a release (shutdown) gives back started and unstarted jobs without using an attempt', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(3))
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const [a, b, c] = await q.claim(10, TYPES)
    await q.markStarted([start(a!)])
    assert.deepEqual(await q.complete([result(a!, 'released'), result(b!, 'released')]), [])
    assert.equal(await q.releaseAll(), 1, 'the one still held')
    for (const job of [a!, b!, c!]) {
      const back = await f.role.web.admin.get(job.id)
      assert.deepEqual([back.status, back.attempts, back.leaseOwner], ['pending', 0, null], `event ${job.id}`)
    }
    assert.deepEqual(
      (await q.claim(10, TYPES)).map((j) => j.attempt),
      [1, 1, 1],
      'claimable again at once, still attempt 1',
    )
  })

  test("confirm beats the worker's heartbeat and renews its leases in one commit; a stopped worker cannot confirm", async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue(due(1))
    const owner = await f.registerWorker()
    const q = workerQueue(f.role.worker, owner)
    await f.sql('UPDATE runtime.processes SET heartbeat_at = $1 WHERE id = $2', ['2000-01-01T00:00:00.000Z', owner])
    const [job] = await q.claim(1, TYPES)
    await f.sql('UPDATE runtime.jobs SET lease_expires_at = 1')
    const at = await q.confirm()
    assert.ok(at !== null && Date.now() - at < 1000)
    const [beat] = await f.sql<{ heartbeat_at: string }>('SELECT heartbeat_at FROM runtime.processes WHERE id = $1', [owner])
    assert.equal(beat!.heartbeat_at, new Date(at).toISOString())
    assert.ok(Date.parse((await f.role.web.admin.get(job!.id)).leaseExpiresAt!) > Date.now() + 50_000)
    await f.sql('UPDATE runtime.processes SET stopped_at = $1 WHERE id = $2', [new Date().toISOString(), owner])
    assert.equal(await q.confirm(), null)
  })

  test('operators retry and cancel: a cancelled running job drops its result; refusals name the event and its status', async (t) => {
    const f = await setup(t)
    const now = Date.now()
    await f.sql(
      `INSERT INTO runtime.schedules (key, event_type, schedule, next_run_at, created_at) VALUES ('s1', 'work', '{"intervalMs":60000}', $1, $2)`,
      [now, now],
    )
    const [schedule] = await f.sql<{ id: number }>(`SELECT id FROM runtime.schedules WHERE key = 's1'`)
    await f.role.scheduler.enqueue([...due(2), { eventType: 'work', runAt: now + 60_000, scheduleId: schedule!.id, owner: 'p' }])
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const [running, toFail] = await q.claim(2, TYPES)
    const admin = f.role.web.admin
    const cancelled = await admin.cancel(running!.id)
    assert.deepEqual([cancelled.job.status, cancelled.wasRunning, cancelled.scheduleRemoved], ['cancelled', true, false])
    assert.deepEqual(await q.complete([result(running!, 'done'), result(toFail!, 'failed', { permanent: true })]), [running!.id])
    await assert.rejects(admin.cancel(running!.id), {
      code: 'EVENT_NOT_CANCELLABLE',
      message: new RegExp(`event ${running!.id} is already cancelled`),
    })
    await assert.rejects(admin.cancel(toFail!.id, { schedule: true }), { code: 'EVENT_NOT_SCHEDULED' })
    await assert.rejects(admin.get(999_999), { code: 'EVENT_NOT_FOUND', message: /no event with id 999999/ })
    await assert.rejects(admin.list({ status: 'nope' as never }), {
      code: 'USAGE',
      message: /unknown status "nope"; expected one of pending/,
    })
    const [scheduled] = await admin.list({ owner: 'p' })
    await assert.rejects(admin.retry(scheduled!.id), { code: 'EVENT_NOT_RETRYABLE', message: /is pending; only failed/ })
    const removed = await admin.cancel(scheduled!.id, { schedule: true })
    assert.deepEqual([removed.job.status, removed.wasRunning, removed.scheduleRemoved], ['cancelled', false, true])
    assert.deepEqual(await f.sql('SELECT id FROM runtime.schedules'), [], 'the schedule that fired it fires no more')
    const retried = await admin.retry(toFail!.id)
    assert.deepEqual([retried.status, retried.attempts, retried.leaseOwner], ['pending', 0, null])
    assert.deepEqual(
      (await q.claim(10, TYPES)).map((j) => [j.id, j.attempt]),
      [[toFail!.id, 1]],
    )
    assert.deepEqual(
      (await admin.list({ status: 'cancelled', limit: 1 })).map((j) => j.id),
      [scheduled!.id],
      'newest first',
    )
    assert.deepEqual(await admin.counts(), { pending: 0, running: 1, done: 0, failed: 0, cancelled: 2, orphaned: 0 })
  })

  test("a plugin job's lastRunAt is when its schedule's last successful run started; none before the first", async (t) => {
    const f = await setup(t)
    const now = Date.now()
    await f.sql(
      `INSERT INTO runtime.schedules (key, event_type, schedule, next_run_at, created_at) VALUES ('s1', 'work', '{"intervalMs":60000}', $1, $2)`,
      [now, now],
    )
    const [schedule] = await f.sql<{ id: number }>(`SELECT id FROM runtime.schedules WHERE key = 's1'`)
    const fired = (runAt: number) => ({ eventType: 'work', runAt, scheduleId: schedule!.id })
    await f.role.scheduler.enqueue([fired(now - 30), fired(now - 20), fired(now - 10), { eventType: 'work', runAt: now - 5 }])
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const [done, failed, next, unscheduled] = await q.claim(4, TYPES)
    assert.equal(await f.role.worker.lastRunAt(done!.id), null, 'no run of the schedule finished yet')
    const startedAt = now - 1000
    assert.deepEqual(await q.markStarted([{ ...start(done!), at: startedAt }, start(failed!)]), [])
    await q.complete([result(done!, 'done'), result(failed!, 'failed', { permanent: true })])
    assert.equal(await f.role.worker.lastRunAt(next!.id), startedAt, 'the done run, not the failed one that started later')
    assert.equal(await f.role.worker.lastRunAt(unscheduled!.id), null, 'a job no schedule fired')
  })

  test('the scheduler prunes finished jobs past the retention, a batch at a time, and keeps the rest', async (t) => {
    const f = await setup(t)
    await f.role.scheduler.enqueue([...due(3), { eventType: 'work', runAt: Date.now() + 60_000 }])
    const q = workerQueue(f.role.worker, await f.registerWorker())
    const jobs = await q.claim(3, TYPES)
    await q.complete([result(jobs[0]!, 'done'), result(jobs[1]!, 'failed', { permanent: true })])
    const maintenance = f.role.scheduler.maintenance({ maxAttempts: 5, retentionMs: 60_000 })
    assert.equal(await maintenance.prune(), 0, 'not yet past the retention')
    assert.equal(await maintenance.prune(Date.now() + 61_000), 2)
    assert.deepEqual((await f.role.web.admin.list()).map((j) => j.status).sort(), ['pending', 'running'])
  })

  test("the events page's filter choices: each event type and owner once, sorted by code point, within the limit", async (t) => {
    const f = await setup(t)
    assert.deepEqual(await f.role.web.admin.facets(), { eventTypes: [], owners: [] })
    await f.role.scheduler.enqueue([
      ...due(2, { eventType: 'work', owner: 'plugin-b' }),
      ...due(1, { eventType: 'Zeta' }),
      ...due(1, { eventType: 'alpha', owner: 'Plugin-A' }),
      ...due(1, { eventType: BOT_RUN }),
    ])
    assert.deepEqual(await f.role.web.admin.facets(), {
      eventTypes: [BOT_RUN, 'Zeta', 'alpha', 'work'].sort(),
      owners: ['Plugin-A', 'plugin-b'],
    })
    assert.deepEqual(await f.role.web.admin.facets(1), {
      eventTypes: [[BOT_RUN, 'Zeta', 'alpha', 'work'].sort()[0]!],
      owners: ['Plugin-A'],
    })
  })
})
