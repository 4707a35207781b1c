// `--role=worker` on PostgreSQL: an SQLite install moved over with `app db migrate --from-sqlite`, two worker
// processes on one database (each with its own empty data dir: they share no files), events enqueued as the
// scheduler enqueues them, and a scheduler process. Every event runs exactly once, the work is split, idle workers wake on NOTIFY,
// plugin failures are recorded, and a worker killed with SIGKILL mid-job loses nothing: its job is requeued
// and done by the other.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openPostgresRuntimeBackend } from '../../src/backend/postgres-runtime-backend.ts'
import type { RuntimeBackend } from '../../src/backend/runtime-backend.ts'
import { writeJobsConfig, writeJobsPlugin } from '../events/fixtures/jobs-plugin.ts'
import { type RunningRole, runCli, startCli, tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { waitUntil } from '../helpers/wait-until.ts'

const HEARTBEAT_TIMEOUT_MS = 2000

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
/** The test's own connection to the runtime tables (as the scheduler's user): enqueue and read jobs. */
let scheduler: RuntimeBackend
beforeAll(async () => {
  db = await createInitializedDatabase()
})
afterAll(async () => {
  await scheduler?.close()
  await db?.drop()
})

type Trace = { id: number; what: 'start' | 'end'; attempt: number; pid: number; t: number }
const traces = (file: string): Trace[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Trace)
    : []

/** The jobs test plugin published into an SQLite data dir and moved into the test database. */
async function migratedInstall(t: { onTestFinished(fn: () => unknown): void }) {
  const root = tempDir(t)
  mkdirSync(join(root, 'plugins'))
  writeJobsPlugin(join(root, 'plugins'))
  await publishInProcess(join(root, 'sqlite'), join(root, 'plugins'))
  const moved = await runCli(['db', 'migrate', '--from-sqlite', join(root, 'sqlite')], { env: { APP_DATABASE_URL: db.urls.scheduler } })
  expect(moved.stderr).toBe('')
  expect(moved.code).toBe(0)
  writeJobsConfig(root, { leaseMs: 30_000, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS })
  scheduler = await openPostgresRuntimeBackend(db.urls.scheduler, 'test scheduler')
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles) await r.stop('SIGKILL')
  })
  // A real scheduler on the same plugins: it publishes nothing new (the same set) and runs the maintenance
  // tick that requeues the jobs of a worker whose heartbeat stopped.
  const schedulerRole = startCli(['--role=scheduler', '--data-dir', 's1', '--plugins-dir', 'plugins'], {
    cwd: root,
    env: { APP_DATABASE_URL: db.urls.scheduler, APP_SETTLE_MS: '0' },
  })
  roles.push(schedulerRole)
  await schedulerRole.waitFor(/scheduler started/, 60_000)
  return {
    root,
    trace: join(root, 'trace.jsonl'),
    async startWorker(dataDir: string) {
      const w = startCli(['--role=worker', '--data-dir', dataDir, '--concurrency', '2'], {
        cwd: root,
        env: { APP_DATABASE_URL: db.urls.worker },
      })
      roles.push(w)
      await w.waitFor(/handlers ready/, 60_000)
      return w
    },
  }
}

test('two workers on one PostgreSQL database run every event once, split between them; a kill -9 mid-job loses nothing', async (t) => {
  const install = await migratedInstall(t)
  const { root, trace } = install
  const [one, two] = await Promise.all([install.startWorker('w1'), install.startWorker('w2')])
  for (const dir of ['w1', 'w2']) {
    expect(existsSync(join(root, dir, 'runtime.db')) || existsSync(join(root, dir, 'plugins.db')), `${dir} holds no database`).toBe(false)
    expect(
      readdirSync(join(root, dir, 'cache')).some((f) => /^[0-9a-f]{64}$/.test(f)),
      `${dir} fetched the plugin's bundle into its own cache`,
    ).toBe(true)
  }

  const now = Date.now()
  const landed = await scheduler.jobs.enqueue(
    Array.from({ length: 60 }, (_, i) => ({ eventType: 'test.record', runAt: now + i, payload: { file: trace, ms: 100 } })),
  )
  expect(landed).toBe(60)
  const jobs = await waitUntil('every event to finish', async () => {
    const list = await scheduler.jobs.admin.list({ eventType: 'test.record', limit: 100 })
    return list.every((j) => j.status === 'done' || j.status === 'failed') ? list : null
  })
  expect(jobs.map((j) => [j.status, j.attempts])).toEqual(jobs.map(() => ['done', 1]))
  const starts = traces(trace).filter((x) => x.what === 'start')
  expect(starts.map((x) => x.id).sort((a, b) => a - b)).toEqual(jobs.map((j) => j.id).sort((a, b) => a - b))
  const byWorker = [one, two].map((w) => starts.filter((x) => x.pid === w.child.pid).length)
  expect(byWorker[0]! + byWorker[1]!).toBe(60)
  expect(Math.min(...byWorker), `both workers took events: ${byWorker}`).toBeGreaterThan(0)

  // Idle workers wake on the insert's NOTIFY: an event starts within milliseconds, not at the next poll (1 s).
  const waits: number[] = []
  for (let i = 0; i < 7; i++) {
    const at = Date.now()
    await scheduler.jobs.enqueue([{ eventType: 'test.record', runAt: at, payload: { file: trace, ms: 0 } }])
    const [job] = await scheduler.jobs.admin.list({ eventType: 'test.record', limit: 1 })
    const started = await waitUntil(
      'the event to start',
      () => traces(trace).find((x) => x.id === job!.id && x.what === 'start'),
      10_000,
      5,
    )
    waits.push(started.t - at)
  }
  const median = waits.sort((a, b) => a - b)[3]!
  expect(median, `enqueue to start, ms: ${waits}`).toBeLessThan(200)

  // A handler that throws is a RUNTIME_ERROR of its plugin, recorded by the handler thread's own connection.
  await scheduler.jobs.enqueue([{ eventType: 'test.throw', runAt: Date.now() }])
  const [thrower] = await scheduler.jobs.admin.list({ eventType: 'test.throw' })
  const failure = await waitUntil('the run-time error to be recorded', async () =>
    (await scheduler.errors.list()).find((e) => e.plugin === 'test-jobs' && e.message.includes('boom from test.throw')),
  )
  expect(failure.place).toMatch(/^worker@/)
  await waitUntil('the failed attempt to be recorded', async () =>
    (await scheduler.jobs.admin.get(thrower!.id)).lastError?.includes('boom from test.throw'),
  )
  await scheduler.jobs.admin.cancel(thrower!.id)

  // The slow handler sleeps through its first run only: the run after the requeue finishes at once.
  await scheduler.jobs.enqueue([{ eventType: 'test.sleep', runAt: Date.now(), payload: { file: trace, ms: 120_000 } }])
  const [sleeper] = await scheduler.jobs.admin.list({ eventType: 'test.sleep' })
  const first = await waitUntil('the slow job to start', () => traces(trace).find((x) => x.id === sleeper!.id && x.what === 'start'))
  // Killed once its start is recorded (attempt 1 used), so the requeue shows as a second attempt.
  await waitUntil('the slow job start to be recorded', async () => (await scheduler.jobs.admin.get(sleeper!.id)).attempts === 1)
  const victim = first.pid === one.child.pid ? one : two
  const survivor = victim === one ? two : one
  victim.child.kill('SIGKILL')
  await victim.exited
  // The scheduler process's maintenance tick: a worker silent for jobs.heartbeatTimeoutMs loses its jobs.
  const done = await waitUntil(
    'the killed worker’s job to be requeued by the scheduler and done by the other worker',
    async () => {
      const job = await scheduler.jobs.admin.get(sleeper!.id)
      return job.status === 'done' || job.status === 'failed' ? job : null
    },
    60_000,
    200,
  )
  expect([done.status, done.attempts]).toEqual(['done', 2])
  expect(done.lastError).toMatch(new RegExp(`no heartbeat for over ${HEARTBEAT_TIMEOUT_MS} ms`))
  const runs = traces(trace).filter((x) => x.id === sleeper!.id && x.what === 'start')
  expect(runs.map((x) => x.pid)).toEqual([victim.child.pid, survivor.child.pid])
  expect(await survivor.stop()).toBe(0)
  expect(await scheduler.jobs.admin.counts()).toMatchObject({ pending: 0, running: 0, done: 68, failed: 0, cancelled: 1 })
})
