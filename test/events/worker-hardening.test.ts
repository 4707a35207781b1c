// What a worker does when it is killed, frozen, runs out of memory, or runs plugin code that fails:
// real scheduler and worker processes, the jobs test plugin, default settings unless a test says otherwise.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli, tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { startInstall } from './worker-harness.ts'

type Warning = { code: string; plugin: string; version: string; message: string; detail: string | null; where: string[]; count: number }
async function runtimeErrors(root: string): Promise<Warning[]> {
  const r = await runCli(['plugins', 'warnings', '--json', '--data-dir', 'data'], { cwd: root })
  assert.equal(r.code, 0, r.stderr)
  return (JSON.parse(r.stdout).warnings as Warning[]).filter((w) => w.code === 'RUNTIME_ERROR')
}

test('kill -9 with maxAttempts 1: the job whose handler ran fails; the jobs the worker only held run later', async (t) => {
  const install = await startInstall(t, { jobs: { maxAttempts: 1, heartbeatTimeoutMs: 2000 } })
  const doomed = await install.startWorker(['--concurrency', '1'])
  const [sleeper] = await install.enqueue([{ eventType: 'test.sleep', runAt: Date.now() - 1000, payload: { ms: 120_000 } }])
  const records = await install.enqueue(Array.from({ length: 10 }, () => ({ eventType: 'test.record', payload: { ms: 10 } })))
  await waitUntil('the long job to start', () => install.traces().some((x) => x.id === sleeper && x.what === 'start'))
  // Its start is recorded within a watchdog tick (25 ms) and a flush: kill only once it is, or the job is rightly
  // taken for one that never started and runs again.
  await waitUntil('the start to be recorded as attempt 1', async () => (await install.admin.get(sleeper!)).attempts === 1)
  const held = (await install.admin.list({ status: 'running' })).filter((j) => j.id !== sleeper)
  assert.ok(held.length <= 2, `a one-thread worker holds only what it can start soon, not ${held.length} jobs`)
  doomed.child.kill('SIGKILL')
  await doomed.exited
  await install.startWorker()
  const failed = await install.waitForStatus(sleeper!, ['failed', 'done'])
  assert.deepEqual([failed.status, failed.attempts], ['failed', 1])
  assert.match(failed.lastError ?? '', /stopped during attempt 1: no heartbeat for over 2000 ms/)
  for (const id of records)
    assert.deepEqual(
      [(await install.waitForStatus(id, ['done', 'failed'])).status, (await install.admin.get(id)).attempts],
      ['done', 1],
      `event ${id}`,
    )
  assert.deepEqual(
    install
      .traces()
      .filter((x) => x.what === 'start' && records.includes(x.id))
      .map((x) => x.id)
      .sort((a, b) => a - b),
    records,
    'each held job started exactly once',
  )
})

test("a killed worker's job runs again on another worker within the heartbeat timeout, long before its lease runs out", async (t) => {
  const install = await startInstall(t, { jobs: { leaseMs: 120_000, heartbeatTimeoutMs: 2000 } })
  const workers = await Promise.all([install.startWorker(['--concurrency', '1']), install.startWorker(['--concurrency', '1'])])
  const [id] = await install.enqueue([{ eventType: 'test.sleep', payload: { ms: 120_000 } }])
  const first = await waitUntil('the job to start', () => install.traces().find((x) => x.id === id && x.what === 'start'))
  const victim = workers.find((w) => w.child.pid === first.pid)!
  const killedAt = Date.now()
  victim.child.kill('SIGKILL')
  const again = await waitUntil(
    'the job to start again',
    () => install.traces().find((x) => x.id === id && x.what === 'start' && x.pid !== first.pid),
    60_000,
    20,
  )
  assert.ok(
    again.t - killedAt < 4000,
    `claimed and started again ${again.t - killedAt} ms after the kill (heartbeat timeout 2000 ms, lease 120000 ms)`,
  )
  const job = await install.waitForStatus(id!, ['done'])
  assert.equal(job.attempts, 2)
  assert.match(job.lastError ?? '', /no heartbeat for over 2000 ms/)
})

test('a frozen worker (SIGSTOP) loses its jobs to another worker and, thawed, starts none of them again', async (t) => {
  const install = await startInstall(t, { jobs: { leaseMs: 120_000, heartbeatTimeoutMs: 2000 } })
  const frozen = await install.startWorker(['--concurrency', '1'])
  const [slow, next] = await install.enqueue([
    { eventType: 'test.record', runAt: Date.now() - 1000, payload: { ms: 6000 } },
    { eventType: 'test.record', payload: { ms: 10 } },
  ])
  await waitUntil(
    'the slow job to start (its attempt recorded) and the next to be held',
    async () => (await install.admin.get(slow!)).attempts === 1 && (await install.admin.get(next!)).status === 'running',
  )
  frozen.child.kill('SIGSTOP')
  t.onTestFinished(() => {
    frozen.child.kill('SIGCONT')
  })
  const other = await install.startWorker(['--concurrency', '2'])
  for (const id of [slow!, next!]) assert.equal((await install.waitForStatus(id, ['done'])).status, 'done')
  frozen.child.kill('SIGCONT')
  await frozen.waitFor(/confirmed again after a gap/, 30_000)
  await frozen.waitFor(/results dropped/, 30_000)
  const starts = install.traces().filter((x) => x.what === 'start')
  assert.deepEqual(
    starts.filter((x) => x.id === next).map((x) => x.pid),
    [other.child.pid],
    'the job the frozen worker held but had not started ran once, on the other worker',
  )
  assert.deepEqual(
    starts.filter((x) => x.id === slow).map((x) => [x.pid, x.attempt]),
    [
      [frozen.child.pid, 1],
      [other.child.pid, 2],
    ],
  )
  for (const id of [slow!, next!])
    assert.equal((await install.admin.get(id)).leaseOwner, null, "the thawed worker's late results were refused")
})

test('a handler thread past jobs.threadMemoryMb is replaced; its job fails naming the cap, the plugin gets a RUNTIME_ERROR', async (t) => {
  const install = await startInstall(t, { jobs: { maxAttempts: 1, threadMemoryMb: 64 } })
  const worker = await install.startWorker(['--concurrency', '1'])
  const heap = await install.enqueue(Array.from({ length: 8 }, () => ({ eventType: 'test.leak', payload: { mb: 16 } })))
  const statuses = await Promise.all(heap.map((id) => install.waitForStatus(id, ['done', 'failed'])))
  const failed = statuses.filter((j) => j.status === 'failed')
  assert.ok(
    failed.length >= 1 && failed.length < heap.length,
    `some jobs failed, the others ran on a fresh thread: ${statuses.map((j) => j.status)}`,
  )
  for (const j of failed)
    assert.match(
      j.lastError ?? '',
      /test\.leak: the handler thread passed its memory cap of 64 MB \(jobs\.threadMemoryMb\) while running this job and was replaced; raise jobs\.threadMemoryMb/,
    )
  // Buffers live outside the V8 heap: the worker measures them.
  const [buffers] = await install.enqueue([{ eventType: 'test.leak', payload: { mb: 100, buffers: true, holdMs: 5000 } }])
  const big = await install.waitForStatus(buffers!, ['done', 'failed'])
  assert.equal(big.status, 'failed')
  assert.match(big.lastError ?? '', /memory cap of 64 MB/)
  const [after] = await install.enqueue([{ eventType: 'test.record' }])
  assert.equal((await install.waitForStatus(after!, ['done', 'failed'])).status, 'done')
  assert.equal(worker.child.exitCode, null, 'the worker process kept running')
  const warning = (await runtimeErrors(install.root)).find((w) => /memory cap/.test(w.message))
  assert.ok(warning, 'a RUNTIME_ERROR of test-jobs')
  assert.equal(warning.plugin, 'test-jobs')
  assert.match(
    warning.message,
    /event type "test\.leak": its handler thread passed the memory cap of 64 MB \(jobs\.threadMemoryMb\) and was replaced; the job failed\. Raise jobs\.threadMemoryMb/,
  )
  assert.equal(warning.count, failed.length + 1)
})

test('a handler that throws, ignores its timeout or crashes its thread becomes a RUNTIME_ERROR of its plugin', async (t) => {
  const install = await startInstall(t, { jobs: { maxAttempts: 1, timeoutMs: 1500 } })
  const worker = await install.startWorker(['--concurrency', '2'])
  const ids = await install.enqueue([
    { eventType: 'test.throw' },
    { eventType: 'test.throw' },
    { eventType: 'test.loop' },
    { eventType: 'test.crash' },
  ])
  for (const id of ids) assert.equal((await install.waitForStatus(id, ['done', 'failed'])).status, 'failed')
  const crash = await install.admin.get(ids[3]!)
  assert.match(crash.lastError ?? '', /test\.crash: the handler thread exited \(code 7\) while running this job/)
  const warnings = await runtimeErrors(install.root)
  const where = `worker@${hostname()}:${worker.child.pid}`
  const threw = warnings.find((w) => w.message === 'event type "test.throw": run(ctx) threw Error: boom from test.throw')
  assert.ok(threw, JSON.stringify(warnings))
  assert.deepEqual([threw.plugin, threw.version, threw.count, threw.where], ['test-jobs', '1.0.0', 2, [where]])
  assert.match(threw.detail ?? '', /test-jobs\/index\.js:\d+/, "the stack points into the plugin's own file")
  assert.ok(
    warnings.some((w) => /^event type "test\.loop": run\(ctx\) did not stop within jobs\.timeoutMs \(1500 ms\)/.test(w.message)),
    JSON.stringify(warnings),
  )
  assert.ok(
    warnings.some((w) => /^event type "test\.crash": its handler thread crashed \(exit code 7\)/.test(w.message)),
    JSON.stringify(warnings),
  )
  const show = await runCli(['plugins', 'show', 'test-jobs', '--json', '--data-dir', 'data'], { cwd: install.root })
  assert.equal(JSON.parse(show.stdout).warnings.filter((w: Warning) => w.code === 'RUNTIME_ERROR').length, 3)
})

test('jobs.threadMemoryMb and jobs.heartbeatTimeoutMs are checked: a worker refuses a value it cannot run with, naming the key', async (t) => {
  const root = tempDir(t)
  writeFileSync(join(root, 'app.toml'), '[jobs]\nthreadMemoryMb = 16\nheartbeatTimeoutMs = 200\n')
  const r = await runCli(['--role=worker', '--data-dir', 'data'], { cwd: root })
  assert.equal(r.code, 2, r.stderr)
  assert.match(
    r.stderr,
    /jobs\.threadMemoryMb: expected at least 64 \(MB\): a handler thread needs that much to load the plugins; the default is 256; found 16/,
  )
  assert.match(r.stderr, /jobs\.heartbeatTimeoutMs: expected at least 1000 \(ms\).*found 200/)
})
