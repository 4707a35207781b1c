// The worker role end to end on PostgreSQL, as a user runs it: the no-op plugin of bench/queue published into an
// SQLite data dir once, moved into a fresh database with `app db migrate --from-sqlite` each round, then a real
// `app --role=worker` process (its own empty data dir, the worker role's URL). Timed from the start of the
// enqueue (one insert through our PostgreSQL adapter, as the scheduler does) to the last event done.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openPostgres } from '../../src/postgres/open-postgres.ts'
import { insertPostgresJobs } from '../../src/queue/postgres-insert-jobs.ts'
import { createInitializedDatabase } from '../../test/helpers/postgres.ts'
import { publishInProcess } from '../../test/helpers/publish.ts'
import { benchPlugin } from '../queue/bench-noop-plugin.ts'

const APP = join(dirname(fileURLToPath(import.meta.url)), '../../bin/app.js')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves once the child's output matches `re`; rejects with its output if it exits first or after timeoutMs. */
function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    const done = (error?: Error) => {
      clearTimeout(timer)
      child.stdout!.off('data', on)
      child.stderr!.off('data', on)
      child.off('exit', exited)
      error ? reject(error) : resolve()
    }
    const on = (d: Buffer) => {
      out += d
      if (re.test(out)) done()
    }
    const exited = (code: number | null) => done(new Error(`exited ${code} before ${re}: ${out.slice(-2000)}`))
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${re}: ${out.slice(-2000)}`)), timeoutMs)
    child.stdout!.on('data', on)
    child.stderr!.on('data', on)
    child.once('exit', exited)
  })
}

function runApp(args: string[], env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [APP, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`app ${args.join(' ')} exited ${code}:\n${out}`)))),
  )
}

export interface WorkerRoleBench {
  /** One round on a fresh database: events/s from the start of the enqueue to the last of n done. */
  rate(n: number, concurrency: number, pollMs: number): Promise<number>
  close(): void
}

/** Publishes the no-op plugin into an SQLite data dir, the install every round moves into its own database. */
export async function prepareWorkerRole(): Promise<WorkerRoleBench> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-pg-worker-'))
  const pluginDir = join(root, 'plugins', benchPlugin.manifest.name)
  mkdirSync(pluginDir, { recursive: true })
  writeFileSync(join(pluginDir, 'plugin.json'), JSON.stringify(benchPlugin.manifest))
  writeFileSync(join(pluginDir, 'index.js'), benchPlugin.index)
  await publishInProcess(join(root, 'sqlite'), join(root, 'plugins'))
  let round = 0
  return {
    close: () => rmSync(root, { recursive: true, force: true }),
    async rate(n, concurrency, pollMs) {
      const db = await createInitializedDatabase()
      const dataDir = join(root, `worker-${++round}`)
      let worker: ChildProcess | null = null
      const scheduler = await openPostgres(db.urls.scheduler, { applicationName: 'bench scheduler', max: 1 })
      try {
        await runApp(['db', 'migrate', '--from-sqlite', join(root, 'sqlite')], { APP_DATABASE_URL: db.urls.scheduler })
        worker = spawn(process.execPath, [APP, '--role=worker', '--data-dir', dataDir, '--concurrency', String(concurrency)], {
          env: { ...process.env, APP_DATABASE_URL: db.urls.worker, APP_LOG_LEVEL: 'info' },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        await waitForLine(worker, /handlers ready/)
        // Its log keeps flowing (a full pipe would stall it); the last of it explains a worker that died.
        let tail = ''
        const keep = (d: Buffer) => {
          tail = (tail + d).slice(-2000)
        }
        worker.stdout!.on('data', keep)
        worker.stderr!.on('data', keep)
        const t0 = performance.now()
        const now = Date.now()
        await insertPostgresJobs(
          scheduler,
          Array.from({ length: n }, (_, i) => ({ eventType: 'bench.noop', runAt: now, payload: { i } })),
        )
        const deadline = Date.now() + 300_000
        // As cheap a probe as graphile-worker's (is its table empty?): any job still pending or running, through the
        // partial indexes. A count(*) of done rows read the whole table every poll, work graphile's side never had.
        const busy = async () =>
          (
            await scheduler.query<{ busy: boolean }>(
              `SELECT EXISTS (SELECT 1 FROM runtime.jobs WHERE status IN ('pending', 'orphaned')) OR EXISTS (SELECT 1 FROM runtime.jobs WHERE status = 'running') AS busy`,
            )
          ).rows[0]!.busy
        while (await busy()) {
          if (Date.now() > deadline || worker.exitCode !== null)
            throw new Error(`the worker role did not finish ${n} events (exit ${worker.exitCode}):\n${tail}`)
          await sleep(pollMs)
        }
        const seconds = (performance.now() - t0) / 1000
        const { rows } = await scheduler.query<{ n: number }>(`SELECT count(*)::int AS n FROM runtime.jobs WHERE status = 'done'`)
        if (rows[0]!.n !== n) throw new Error(`the worker role finished ${rows[0]!.n} of ${n} events as done:\n${tail}`)
        return n / seconds
      } finally {
        if (worker && worker.exitCode === null) {
          const exited = new Promise((r) => worker!.once('exit', r))
          worker.kill('SIGTERM')
          await exited
        }
        await scheduler.end()
        await db.drop()
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  }
}
