import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, writePlugin } from '../helpers/cli.ts'
import { startInstall } from './worker-harness.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test('two worker processes share the queue: every job runs exactly once, none twice at the same time', async (t) => {
  const install = await startInstall(t)
  const [a, b] = await Promise.all([install.startWorker(['--concurrency', '2']), install.startWorker(['--concurrency', '2'])])
  const ids = await install.enqueue(Array.from({ length: 300 }, () => ({ eventType: 'test.record', payload: { ms: 5 } })))
  await waitUntil('all 300 jobs done', async () => (await install.admin.counts()).done === 300, 120_000)
  const starts = install.traces().filter((x) => x.what === 'start')
  assert.deepEqual(
    starts.map((x) => x.id).sort((p, q) => p - q),
    ids,
    'each job started exactly once',
  )
  const pids = new Set(starts.map((x) => x.pid))
  assert.deepEqual(pids, new Set([a.child.pid, b.child.pid]), 'both workers ran jobs')
})

test('kill -9 of a worker mid-job: the scheduler requeues the job and another worker completes it', async (t) => {
  const install = await startInstall(t, { jobs: { leaseMs: 1500 } })
  const doomed = await install.startWorker()
  const [id] = await install.enqueue([{ eventType: 'test.sleep', payload: { ms: 120_000 } }])
  await waitUntil('the job to start', () => install.traces().some((x) => x.id === id && x.what === 'start'))
  // Killed once the start is recorded (within a 25 ms watchdog tick and a flush): before that, the job is rightly
  // requeued as one that never started, and its next run would be attempt 1 again.
  await waitUntil('the start to be recorded as attempt 1', async () => (await install.admin.get(id!)).attempts === 1)
  doomed.child.kill('SIGKILL')
  await doomed.exited
  await install.startWorker()
  const job = await install.waitForStatus(id!, ['done'])
  assert.equal(job.attempts, 2)
  assert.match(job.lastError ?? '', /lease expired during attempt 1/)
  assert.deepEqual(
    install
      .traces()
      .filter((x) => x.id === id)
      .map((x) => `${x.what}@${x.attempt}`),
    ['start@1', 'start@2', 'end@2'],
  )
})

test('a handler that never yields is terminated at its timeout with a clear error; the worker keeps running', async (t) => {
  const install = await startInstall(t, { jobs: { timeoutMs: 1500, maxAttempts: 1 } })
  const worker = await install.startWorker(['--concurrency', '1'])
  const [loop, hang, cooperative, after] = await install.enqueue([
    { eventType: 'test.loop' },
    { eventType: 'test.hang' },
    { eventType: 'test.cooperative' },
    { eventType: 'test.record' },
  ])
  const looped = await install.waitForStatus(loop!, ['failed', 'done'])
  assert.equal(looped.status, 'failed')
  assert.match(
    looped.lastError ?? '',
    /test\.loop: timed out after 1500 ms and did not stop when its AbortSignal fired .*the handler thread was terminated and replaced/,
  )
  const hung = await install.waitForStatus(hang!, ['failed', 'done'])
  assert.match(hung.lastError ?? '', /timed out after 1500 ms/)
  const aborted = await install.waitForStatus(cooperative!, ['failed', 'done'])
  assert.equal(aborted.status, 'failed')
  assert.match(aborted.lastError ?? '', /timed out after 1500 ms/)
  assert.equal(
    (await install.waitForStatus(after!, ['done', 'failed'])).status,
    'done',
    'the job queued behind the loop ran on a fresh thread',
  )
  const [later] = await install.enqueue([{ eventType: 'test.record' }])
  assert.equal((await install.waitForStatus(later!, ['done', 'failed'])).status, 'done')
  assert.equal(worker.child.exitCode, null, 'the worker is still running')
})

test('failures retry with backoff; out of attempts the job fails with the last error', async (t) => {
  const install = await startInstall(t, { jobs: { maxAttempts: 3 } })
  await install.startWorker()
  const [recovers, hopeless] = await install.enqueue([{ eventType: 'test.flaky', payload: { succeedAt: 2 } }, { eventType: 'test.flaky' }])
  const ok = await install.waitForStatus(recovers!, ['done', 'failed'])
  assert.equal(ok.status, 'done')
  assert.equal(ok.attempts, 2)
  const failed = await install.waitForStatus(hopeless!, ['done', 'failed'])
  assert.equal(failed.status, 'failed')
  assert.equal(failed.attempts, 3)
  assert.match(failed.lastError ?? '', /flaky failure on attempt 3/)
  const starts = install
    .traces()
    .filter((x) => x.id === hopeless)
    .map((x) => x.attempt)
  assert.deepEqual(starts, [1, 2, 3])
})

test('SIGTERM stops the worker at once and releases its in-flight jobs to another worker', async (t) => {
  const install = await startInstall(t)
  const first = await install.startWorker(['--concurrency', '2'])
  const [stubborn, polite] = await install.enqueue([
    { eventType: 'test.sleep', payload: { ms: 120_000 } },
    { eventType: 'test.sleep', payload: { ms: 120_000, honorSignal: true } },
  ])
  await waitUntil('both jobs to start', () => install.traces().filter((x) => x.what === 'start').length === 2)
  assert.equal(await first.stop('SIGTERM'), 0)
  assert.match(first.output(), /in-flight jobs released/)
  for (const id of [stubborn!, polite!]) {
    const job = await install.admin.get(id)
    assert.equal(job.status, 'pending', `event ${id} was released`)
    assert.equal(job.leaseOwner, null)
    assert.equal(job.attempts, 0, 'a release does not use up an attempt')
  }
  await install.startWorker()
  for (const id of [stubborn!, polite!]) assert.equal((await install.waitForStatus(id, ['done'])).status, 'done')
})

test('a handler that runs longer than the lease keeps its job: the worker renews the lease', async (t) => {
  const install = await startInstall(t, { jobs: { leaseMs: 1500 } })
  await install.startWorker()
  const [id] = await install.enqueue([{ eventType: 'test.record', payload: { ms: 5000 } }])
  const job = await install.waitForStatus(id!, ['done', 'failed'])
  assert.equal(job.status, 'done')
  assert.equal(job.attempts, 1, 'the scheduler did not requeue it')
  assert.equal(job.lastError, null)
})

test('with --reload a running worker picks up an event type a new plugin version registers', async (t) => {
  const install = await startInstall(t, { plugin: false })
  const plugins = join(install.root, 'plugins')
  const published = (version: string) =>
    waitUntil(
      `late ${version} to be published`,
      async () => {
        const r = await runCli(['plugins', 'list', '--json', '--data-dir', 'data'], { cwd: install.root })
        return (
          r.code === 0 &&
          (JSON.parse(r.stdout).plugins as Array<{ name: string; version: string; status: string }>).some(
            (p) => p.name === 'late' && p.version === version && p.status === 'ok',
          )
        )
      },
      60_000,
    )
  const register = (type: string) => `import { appendFileSync } from 'node:fs'
import { ScheduledEventManager } from 'app/plugin'
ScheduledEventManager.register('${type}')((ctx) => appendFileSync(ctx.event.payload.file, JSON.stringify({ id: ctx.event.id, what: '${type}' }) + '\\n'))
export function load() {}
`
  writePlugin(plugins, 'late', { ...manifest('late'), version: '1.0.0' }, { 'index.js': register('test.first') })
  await published('1.0.0')
  const worker = await install.startWorker(['--reload'])
  writePlugin(plugins, 'late', { ...manifest('late'), version: '1.1.0' }, { 'index.js': register('test.second') })
  await published('1.1.0')
  await worker.waitFor(/reloading the handler threads/, 60_000)
  const [id] = await install.enqueue([{ eventType: 'test.second' }])
  assert.equal((await install.waitForStatus(id!, ['done', 'failed'])).status, 'done')
  assert.deepEqual(
    install.traces().map((x) => x.what),
    ['test.second'],
  )
})
