// Queue benchmark (issue 5). End to end: enqueue N no-op events, one worker process claims, runs and completes them all.
// Same run: plainjob (a published SQLite job queue for better-sqlite3) doing the same work in one worker process,
// and the limit: a bare better-sqlite3 loop claiming and completing rows in batches, no handler.
// Then the delay from due time to handler start with events arriving at a moderate rate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { better, defineQueue, JobStatus } from 'plainjob'
import { enqueueJobs } from '../src/queue/insert-jobs.ts'
import { openRuntimeDb } from '../src/runtime/open-runtime.ts'
import type { BenchResult } from './bench-types.ts'
import { benchPlugin } from './queue/bench-noop-plugin.ts'
import { median } from './bench-helpers.ts'

const here = dirname(fileURLToPath(import.meta.url))
const APP = join(here, '../bin/app.js')
const N = 20_000
const PLAINJOB_N = 5_000
const RATE_PER_S = 200
const LATENCY_EVENTS = 1_000
const CONCURRENCIES = [4, 2]
const ROUNDS = 5
const progress = (s: string) => process.stderr.write(`  queue: ${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${out.slice(-2000)}`)), timeoutMs)
    const on = (d: Buffer) => {
      out += d
      if (re.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', on)
    child.stderr!.on('data', on)
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${out.slice(-2000)}`)))
  })
}

/** The limit: batch claim (UPDATE ... RETURNING in BEGIN IMMEDIATE) and batch completion on our schema, no handler, no threads. */
function bareLoop(dir: string): number {
  const db = openRuntimeDb(dir)
  const t0 = performance.now()
  const insert = db.prepare('INSERT INTO jobs (event_type, run_at, created_at) VALUES (?, ?, ?)')
  db.transaction(() => {
    const now = Date.now()
    for (let i = 0; i < N; i++) insert.run('bench.noop', now, now)
  }).immediate()
  const claim = db
    .prepare(`UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = 'bare', claim_token = ?, lease_expires_at = ?
    WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'orphaned') AND run_at <= ? ORDER BY run_at LIMIT 256) RETURNING id`)
    .pluck()
  const done = db.prepare(`UPDATE jobs SET status = 'done', finished_at = ? WHERE id = ? AND claim_token = ? AND status = 'running'`)
  let n = 0
  for (let token = 1; ; token++) {
    const ids = db.transaction(() => claim.all(String(token), Date.now() + 30_000, Date.now()) as number[]).immediate()
    if (!ids.length) break
    db.transaction(() => {
      const now = Date.now()
      for (const id of ids) done.run(now, id, String(token))
    }).immediate()
    n += ids.length
  }
  const seconds = (performance.now() - t0) / 1000
  db.close()
  if (n !== N) throw new Error(`bare loop completed ${n} of ${N}`)
  return N / seconds
}

async function plainjobRate(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'plainjob.db')
  const db = new Database(file)
  db.pragma('temp_store = MEMORY')
  const quiet = { error: console.error, warn: console.error, info() {}, debug() {} }
  const queue = defineQueue({ connection: better(db), logger: quiet })
  const worker = spawn(process.execPath, [join(here, 'queue/plainjob-worker.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    await waitForLine(worker, /ready/)
    const t0 = performance.now()
    // The same O(1) index probe as for our queue, so watching for the end costs the worker nothing.
    const busy = db
      .prepare(`SELECT EXISTS (SELECT 1 FROM plainjob_jobs WHERE status IN (${JobStatus.Pending}, ${JobStatus.Processing}))`)
      .pluck()
    queue.addMany(
      'bench.noop',
      Array.from({ length: PLAINJOB_N }, (_, i) => ({ i })),
    )
    await until(() => busy.get() === 0, 300_000, 'plainjob to finish')
    if (queue.countJobs({ status: JobStatus.Done }) !== PLAINJOB_N) throw new Error('plainjob did not complete every job')
    return PLAINJOB_N / ((performance.now() - t0) / 1000)
  } finally {
    worker.kill('SIGTERM')
    queue.close()
  }
}

async function startOurWorker(root: string, concurrency: number) {
  const pluginDir = join(root, 'plugins', 'bench-noop')
  mkdirSync(pluginDir, { recursive: true })
  writeFileSync(join(pluginDir, 'plugin.json'), JSON.stringify(benchPlugin.manifest))
  writeFileSync(join(pluginDir, 'index.js'), benchPlugin.index)
  const env = { ...process.env, APP_LOG_LEVEL: 'info', APP_SETTLE_MS: '0' }
  const sync = spawnSync(process.execPath, [APP, 'plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (sync.status !== 0) throw new Error(`plugins sync failed: ${sync.stderr}`)
  const worker = spawn(process.execPath, [APP, '--role=worker', '--data-dir', 'data', '--concurrency', String(concurrency)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await waitForLine(worker, /handlers ready/)
  return worker
}

async function ourRate(root: string, worker: ChildProcess): Promise<number> {
  const db = openRuntimeDb(join(root, 'data'))
  // Two O(1) index probes, so watching for the end costs the worker nothing.
  const busy = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'orphaned')) OR EXISTS (SELECT 1 FROM jobs WHERE status = 'running')`,
    )
    .pluck()
  const done = db.prepare(`SELECT count(*) FROM jobs WHERE status = 'done'`).pluck()
  const before = done.get() as number
  const t0 = performance.now()
  await enqueueJobs(
    db,
    Array.from({ length: N }, () => ({ eventType: 'bench.noop', runAt: Date.now() })),
  )
  await until(() => busy.get() === 0, 300_000, 'our worker to finish')
  const seconds = (performance.now() - t0) / 1000
  const completed = (done.get() as number) - before
  db.close()
  if (completed !== N) throw new Error(`our worker completed ${completed} of ${N}; is it running? exit code ${worker.exitCode}`)
  return N / seconds
}

/** Events arrive at RATE_PER_S, each inserted at its due time; the handler logs when it starts. */
async function ourLatency(root: string, worker: ChildProcess): Promise<{ p50: number; p95: number }> {
  const starts = new Map<number, number>()
  let buffer = ''
  worker.stdout!.on('data', (d: Buffer) => {
    buffer += d
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) {
      const m = /"benchJob":(\d+),"startedAt":(\d+)/.exec(line)
      if (m) starts.set(Number(m[1]), Number(m[2]))
    }
  })
  const db = openRuntimeDb(join(root, 'data'))
  const insert = db.prepare(`INSERT INTO jobs (event_type, payload, run_at, created_at) VALUES ('bench.noop', '{"log":true}', ?, ?)`)
  const due = new Map<number, number>()
  const t0 = Date.now()
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const at = t0 + (i * 1000) / RATE_PER_S
    const wait = at - Date.now()
    if (wait > 0) await sleep(wait)
    const now = Date.now()
    due.set(Number(insert.run(now, now).lastInsertRowid), now)
  }
  await until(() => starts.size >= LATENCY_EVENTS, 60_000, 'latency events to start')
  db.close()
  const delays = [...due].map(([id, at]) => starts.get(id)! - at).sort((a, b) => a - b)
  return { p50: delays[Math.floor(delays.length * 0.5)]!, p95: delays[Math.floor(delays.length * 0.95)]! }
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-queue-'))
  const workers = new Map<number, ChildProcess>()
  try {
    for (const c of CONCURRENCIES) workers.set(c, await startOurWorker(join(root, `app-${c}`), c))
    // Interleaved rounds, medians: the machine is shared and noisy, so each round measures all contenders back to back.
    const bare: number[] = []
    const plain: number[] = []
    const ours = new Map<number, number[]>(CONCURRENCIES.map((c) => [c, []]))
    for (let r = 0; r < ROUNDS; r++) {
      bare.push(bareLoop(join(root, `bare-${r}`)))
      plain.push(await plainjobRate(join(root, `plain-${r}`)))
      for (const c of CONCURRENCIES) ours.get(c)!.push(await ourRate(join(root, `app-${c}`), workers.get(c)!))
      progress(
        `round ${r + 1}: bare loop ${bare.at(-1)!.toFixed(0)} rows/s, plainjob ${plain.at(-1)!.toFixed(0)} jobs/s, ${CONCURRENCIES.map((c) => `app (${c} threads) ${ours.get(c)!.at(-1)!.toFixed(0)} events/s`).join(', ')}`,
      )
    }
    const latency = await ourLatency(join(root, `app-${CONCURRENCIES[0]}`), workers.get(CONCURRENCIES[0]!)!)
    progress(`due-to-start at ${RATE_PER_S} events/s: p50 ${latency.p50} ms, p95 ${latency.p95} ms`)
    const b = median(bare)
    const p = median(plain)
    const results: BenchResult[] = []
    for (const [concurrency, rates] of ours) {
      const o = median(rates)
      const which = concurrency === 4 ? 'default --concurrency 4' : `--concurrency ${concurrency}`
      results.push(
        {
          name: `queue.vs-plainjob.c${concurrency}`,
          what: `events/s end to end (enqueue, claim, no-op handler, complete), one worker process (${which}), vs plainjob; median of ${ROUNDS}`,
          value: o,
          unit: 'events/s',
          baseline: { what: 'plainjob, one worker process', value: p },
          ratio: o / p,
          goal: '>= 3x',
          met: o / p >= 3,
        },
        {
          name: `queue.vs-bare.c${concurrency}`,
          what: `events/s end to end (${which}) vs a bare better-sqlite3 batch claim/complete loop (no handler, no threads); median of ${ROUNDS}`,
          value: o,
          unit: 'events/s',
          baseline: { what: 'bare batch loop', value: b },
          ratio: o / b,
          goal: '>= 0.33x',
          met: o / b >= 1 / 3,
        },
      )
    }
    results.push({
      name: 'queue.due-to-start',
      what: `due time to handler start, p50, events inserted at their due time at ${RATE_PER_S}/s, default concurrency (p95 ${latency.p95} ms)`,
      value: latency.p50,
      unit: 'ms',
      baseline: null,
      ratio: null,
      goal: '< 50 ms',
      met: latency.p50 < 50,
    })
    return results
  } finally {
    for (const w of workers.values()) {
      w.kill('SIGTERM')
      if (w.exitCode === null) await new Promise((r) => w.once('exit', r))
    }
    rmSync(root, { recursive: true, force: true })
  }
}
