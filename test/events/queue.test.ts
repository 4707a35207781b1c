import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { createJobQueue } from '../../src/queue/create-job-queue.ts'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import { createQueueMaintenance } from '../../src/queue/queue-maintenance.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { ROOT, tempDir } from '../helpers/cli.ts'

const TYPES = JSON.stringify(['race', 'flaky'])

function runClaimer(dataDir: string, owner: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/events/fixtures/claim-loop.ts'), dataDir, owner], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`claimer exited ${code}: ${err}`))))
  })
}

test('two processes claiming one queue run every job exactly once', async (t) => {
  const dir = tempDir(t)
  const db = openRuntimeDb(dir)
  t.onTestFinished(async () => {
    await db.close()
  })
  const now = Date.now()
  await enqueueJobs(
    db,
    Array.from({ length: 3000 }, (_, i) => ({ eventType: 'race', runAt: now - i })),
  )
  const claimers = Promise.all([runClaimer(dir, 'a'), runClaimer(dir, 'b')])
  while (!existsSync(join(dir, 'ready-a')) || !existsSync(join(dir, 'ready-b'))) await new Promise((r) => setTimeout(r, 10))
  writeFileSync(join(dir, 'go'), '')
  const [a, b] = await claimers
  assert.ok(a.length > 0 && b.length > 0, `both processes got work (a ${a.length}, b ${b.length})`)
  const all = [...a, ...b]
  assert.equal(new Set(all).size, all.length, 'no job was claimed twice')
  assert.equal(all.length, 3000, 'no job was lost')
  assert.deepEqual(await createJobAdmin(db).counts(), { pending: 0, running: 0, done: 3000, failed: 0, cancelled: 0, orphaned: 0 })
})

test('a worker whose lease expired cannot overwrite the job another worker now holds', async (t) => {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(async () => {
    await db.close()
  })
  await enqueueJobs(db, [{ eventType: 'race', runAt: Date.now() }])
  const slow = createJobQueue(db, { owner: 'slow', leaseMs: 1, maxAttempts: 5 })
  const [first] = await slow.claim(10, TYPES)
  assert.deepEqual(
    await slow.markStarted([{ id: first!.id, token: first!.token, attempt: first!.attempt, at: Date.now() }]),
    [],
    'its handler started: attempt 1 is used',
  )
  await new Promise((r) => setTimeout(r, 10))
  const requeued = await createQueueMaintenance(db, { maxAttempts: 5, retentionMs: 1000 }).requeueExpired()
  assert.deepEqual(requeued, [{ id: first!.id, status: 'pending' }])
  const fast = createJobQueue(db, { owner: 'fast', leaseMs: 60_000, maxAttempts: 5 })
  const [second] = await fast.claim(10, TYPES)
  assert.equal(second!.id, first!.id)
  assert.equal(second!.attempt, 2)
  assert.deepEqual(
    await slow.complete([{ id: first!.id, token: first!.token, attempt: 1, outcome: 'failed', error: 'late' }]),
    [first!.id],
    'the stale result is refused',
  )
  assert.equal((await createJobAdmin(db).get(first!.id)).status, 'running')
  assert.deepEqual(await fast.complete([{ id: second!.id, token: second!.token, attempt: 2, outcome: 'done' }]), [])
  const job = await createJobAdmin(db).get(first!.id)
  assert.equal(job.status, 'done')
  assert.match(job.lastError ?? '', /lease expired during attempt 1: worker slow/)
})

test('failures retry with exponential backoff, then fail keeping the last error', async (t) => {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(async () => {
    await db.close()
  })
  await enqueueJobs(db, [{ eventType: 'flaky', runAt: Date.now() }])
  const queue = createJobQueue(db, { owner: 'w', leaseMs: 60_000, maxAttempts: 3 })
  const admin = createJobAdmin(db)
  const delays: Array<[number, number]> = []
  for (let attempt = 1; attempt <= 3; attempt++) {
    const id = (await admin.list())[0]!.id
    // Make the retry due now instead of waiting for it.
    db.prepare('UPDATE jobs SET run_at = ? WHERE id = ?').run(Date.now(), id)
    const [job] = await queue.claim(1, TYPES)
    assert.equal(job!.attempt, attempt)
    const before = Date.now()
    await queue.complete([{ id: job!.id, token: job!.token, attempt, outcome: 'failed', error: `boom ${attempt}` }])
    const completedBy = Date.now()
    const after = await admin.get(job!.id)
    if (attempt < 3) {
      assert.equal(after.status, 'pending')
      // Bracketed by the clock before and after complete(): exact however slow the machine is.
      delays.push([Date.parse(after.runAt) - before, Date.parse(after.runAt) - completedBy])
    } else {
      assert.equal(after.status, 'failed')
      assert.equal(after.lastError, 'boom 3')
      assert.equal(after.attempts, 3)
    }
  }
  // Retry n waits 1 s x 2^(n-1), plus at most 10% jitter.
  const [[firstMax, firstMin], [secondMax, secondMin]] = delays as [[number, number], [number, number]]
  assert.ok(firstMax >= 1000 && firstMin <= 1100, `first retry after 1 to 1.1 s (${firstMin} to ${firstMax} ms after the failure)`)
  assert.ok(secondMax >= 2000 && secondMin <= 2200, `second retry after 2 to 2.2 s (${secondMin} to ${secondMax} ms after the failure)`)
})

test('events of types no plugin registers become orphaned, are kept, and run when a worker has the type', async (t) => {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(async () => {
    await db.close()
  })
  await enqueueJobs(db, [
    { eventType: 'gone.type', runAt: Date.now(), owner: 'old-plugin' },
    { eventType: 'race', runAt: Date.now() },
  ])
  const without = createJobQueue(db, { owner: 'a', leaseMs: 60_000, maxAttempts: 3 })
  assert.equal((await without.claim(10, TYPES)).map((j) => j.eventType).join(), 'race')
  assert.deepEqual(await without.markOrphaned(TYPES), [{ eventType: 'gone.type', owner: 'old-plugin' }])
  assert.equal((await createJobAdmin(db).list({ status: 'orphaned' })).length, 1)
  const withType = createJobQueue(db, { owner: 'b', leaseMs: 60_000, maxAttempts: 3 })
  const [job] = await withType.claim(10, JSON.stringify(['gone.type']))
  assert.equal(job!.eventType, 'gone.type')
  await withType.complete([{ id: job!.id, token: job!.token, attempt: 1, outcome: 'done' }])
  assert.equal((await createJobAdmin(db).get(job!.id)).status, 'done')
})

test('scheduleBotEvents dedupes by bot, resource, type and time, and writes a block whole or not at all', async (t) => {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(async () => {
    await db.close()
  })
  const services = createHostServices(db)
  const at = new Date(Date.now() + 60_000)
  const request = {
    bot: 'b1',
    resource: 'i-1',
    description: 'Start a resource.',
    eventType: 'custom.start_resource',
    scheduleData: { kind: 'once' as const, at: at.toISOString() },
  }
  await services.scheduleBotEvents([request, request], 'p')
  await services.scheduleBotEvents([request, { ...request, resource: 'i-2' }], 'p')
  const events = await services.events.find({ eventType: 'custom.start_resource' })
  assert.deepEqual(events.map((e) => e.resource).sort(), ['i-1', 'i-2'])
  await assert.rejects(
    services.scheduleBotEvents(
      [
        { ...request, resource: 'i-3' },
        { ...request, resource: 'i-4', scheduleData: { kind: 'cron', expr: 'every day' } as never },
      ],
      'p',
    ),
    /scheduleBotEvent #2 \(custom.start_resource\): scheduleData: invalid cron schedule "every day"/,
  )
  assert.equal((await services.events.find()).length, 2, 'the valid request of the failed block was not written either')
})

test('finished jobs past the retention are pruned; pending ones are kept', async (t) => {
  const db = openRuntimeDb(tempDir(t))
  t.onTestFinished(async () => {
    await db.close()
  })
  await enqueueJobs(
    db,
    Array.from({ length: 3 }, () => ({ eventType: 'race', runAt: Date.now() })),
  )
  const queue = createJobQueue(db, { owner: 'w', leaseMs: 60_000, maxAttempts: 3 })
  const jobs = await queue.claim(2, TYPES)
  await queue.complete(jobs.map((j) => ({ id: j.id, token: j.token, attempt: 1, outcome: 'done' as const })))
  const maintenance = createQueueMaintenance(db, { maxAttempts: 3, retentionMs: 60_000 })
  assert.equal(await maintenance.prune(), 0, 'recent jobs stay')
  assert.equal(await maintenance.prune(Date.now() + 61_000), 2)
  assert.deepEqual(
    (await createJobAdmin(db).list()).map((j) => j.status),
    ['pending'],
  )
})
