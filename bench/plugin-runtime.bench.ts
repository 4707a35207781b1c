// Plugin runtime benchmark (DESIGN 5b). Same run, same worker process:
//  - hook delivery: 10,000 resource changes (one `resources import`), each delivered as a job to a plugin's
//    no-op resource.modified hook, against the plain event path: 10,000 plain scheduled events of a no-op type;
//  - change-to-handler latency on an idle worker (DbObjects-style updates one at a time), against the plain
//    path's due-to-start latency at the same rate;
//  - storage.set (the SDK call, quota check included) against a bare better-sqlite3 upsert with the same
//    WAL / synchronous=NORMAL settings as runtime.db.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHostServices } from '../src/host/create-host-services.ts'
import { enqueueJobs } from '../src/queue/insert-jobs.ts'
import { importResources } from '../src/resources/import-resources.ts'
import { openRuntimeDb } from '../src/runtime/open-runtime.ts'
import { createRegistrationSync } from '../src/schedules/sync-plugin-registrations.ts'
import { createStorageApi } from '../src/sdk/create-storage-api.ts'
import { openDatabase } from '../src/store/open-database.ts'
import { openReadonlyStore } from '../src/store/open-store.ts'
import type { BenchResult } from './bench-types.ts'
import { median } from './bench-helpers.ts'

const here = dirname(fileURLToPath(import.meta.url))
const APP = join(here, '../bin/app.js')
const N = 10_000
const ROUNDS = 3
const LATENCY_CHANGES = 300
const RATE_PER_S = 50
const STORAGE_SETS = 20_000
const progress = (s: string) => process.stderr.write(`  plugin-runtime: ${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const PLUGIN = `import { hooks, ScheduledEventManager } from 'app/plugin'
hooks.on('resource.modified', async ({ changes }, ctx) => {
  const seq = changes.properties && changes.properties.seq
  if (seq !== undefined) ctx.log.info({ benchChange: seq, startedAt: Date.now() }, 'bench hook start')
})
ScheduledEventManager.register('bench.plain', async (ctx) => {
  if (ctx.event.payload && ctx.event.payload.seq !== undefined) ctx.log.info({ benchPlain: ctx.event.payload.seq, startedAt: Date.now() }, 'bench event start')
})
export function load() {}
`

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
        child.stdout!.off('data', on)
        resolve()
      }
    }
    child.stdout!.on('data', on)
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${out.slice(-2000)}`)))
  })
}

/** Publishes the bench plugin, records its hook subscription as the scheduler would, starts one worker (default concurrency). */
async function startInstall(root: string) {
  mkdirSync(join(root, 'plugins', 'bench-hooks'), { recursive: true })
  writeFileSync(
    join(root, 'plugins', 'bench-hooks', 'plugin.json'),
    JSON.stringify({ name: 'bench-hooks', version: '1.0.0', apiVersion: 1, modules: ['index.js'] }),
  )
  writeFileSync(join(root, 'plugins', 'bench-hooks', 'index.js'), PLUGIN)
  const env = { ...process.env, APP_LOG_LEVEL: 'info', APP_SETTLE_MS: '0' }
  const sync = spawnSync(process.execPath, [APP, 'plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (sync.status !== 0) throw new Error(`plugins sync failed: ${sync.stderr}`)
  const db = openRuntimeDb(join(root, 'data'))
  const store = await openReadonlyStore(join(root, 'data'), { waitMs: 0 })
  createRegistrationSync(db).immediate(await store.currentGeneration())
  await store.close()
  const worker = spawn(process.execPath, [APP, '--role=worker', '--data-dir', 'data'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  worker.stderr!.resume()
  await waitForLine(worker, /handlers ready/)
  worker.stdout!.resume() // keep the pipe drained: a full pipe would stall the worker's log writes
  return { db, worker }
}

type Db = ReturnType<typeof openRuntimeDb>
const idle = (db: Db) => {
  const busy = db.prepare(`SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'orphaned', 'running'))`).pluck()
  return () => busy.get() === 0
}
const doneCount = (db: Db, type: string) =>
  db.prepare(`SELECT count(*) FROM jobs WHERE status = 'done' AND event_type = ?`).pluck().get(type) as number

/** 10,000 changes in one import, to all hook deliveries done: changes per second. */
async function hookRate(db: Db, round: number): Promise<number> {
  const rows = Array.from({ length: N }, (_, i) => ({ id: `r-${i}`, type: 'instance', state: round % 2 ? 'running' : 'stopped' }))
  const before = doneCount(db, 'app.hook:bench-hooks:resource.modified')
  const t0 = performance.now()
  const result = await importResources(db, rows)
  if (result.modified + result.created !== N) throw new Error(`import changed ${result.modified + result.created} of ${N}`)
  await until(idle(db), 300_000, 'hook deliveries')
  const seconds = (performance.now() - t0) / 1000
  const delivered = doneCount(db, 'app.hook:bench-hooks:resource.modified') - before
  if (delivered !== N && round > 0) throw new Error(`delivered ${delivered} of ${N}`)
  return N / seconds
}

/** 10,000 plain events enqueued at once, to all done: events per second. */
async function plainRate(db: Db): Promise<number> {
  const t0 = performance.now()
  await enqueueJobs(
    db,
    Array.from({ length: N }, () => ({ eventType: 'bench.plain', runAt: Date.now() })),
  )
  await until(idle(db), 300_000, 'plain events')
  return N / ((performance.now() - t0) / 1000)
}

/** Follows `"<key>":<seq>,"startedAt":<ms>` lines of the worker's log. */
function followStarts(worker: ChildProcess, key: string) {
  const starts = new Map<number, number>()
  let buffer = ''
  const re = new RegExp(`"${key}":(\\d+),"startedAt":(\\d+)`)
  worker.stdout!.on('data', (d: Buffer) => {
    buffer += d
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) {
      const m = re.exec(line)
      if (m) starts.set(Number(m[1]), Number(m[2]))
    }
  })
  return starts
}

const percentiles = (delays: number[]) => {
  const s = [...delays].sort((a, b) => a - b)
  return { p50: s[Math.floor(s.length * 0.5)]!, p95: s[Math.floor(s.length * 0.95)]! }
}

/** One change at a time on an idle worker: when the update committed to when the hook handler started. */
async function hookLatency(db: Db, worker: ChildProcess) {
  const services = createHostServices(db)
  await services.resources.create!({ id: 'latency', type: 'instance' }, null)
  await until(idle(db), 60_000, 'the create to settle')
  const starts = followStarts(worker, 'benchChange')
  const changed = new Map<number, number>()
  const t0 = Date.now()
  for (let seq = 1; seq <= LATENCY_CHANGES; seq++) {
    const wait = t0 + (seq * 1000) / RATE_PER_S - Date.now()
    if (wait > 0) await sleep(wait)
    await services.resources.update('latency', { properties: { seq } }, null)
    changed.set(seq, Date.now())
  }
  await until(() => starts.size >= LATENCY_CHANGES, 60_000, 'latency hooks to start')
  return percentiles([...changed].map(([seq, at]) => starts.get(seq)! - at))
}

/** Plain events inserted at their due time, at the same rate: due to handler start. */
async function plainLatency(db: Db, worker: ChildProcess) {
  const starts = followStarts(worker, 'benchPlain')
  const insert = db.prepare(`INSERT INTO jobs (event_type, payload, run_at, created_at) VALUES ('bench.plain', ?, ?, ?)`)
  const due = new Map<number, number>()
  const t0 = Date.now()
  for (let seq = 1; seq <= LATENCY_CHANGES; seq++) {
    const wait = t0 + (seq * 1000) / RATE_PER_S - Date.now()
    if (wait > 0) await sleep(wait)
    const now = Date.now()
    insert.run(JSON.stringify({ seq }), now, now)
    due.set(seq, now)
  }
  await until(() => starts.size >= LATENCY_CHANGES, 60_000, 'latency events to start')
  return percentiles([...due].map(([seq, at]) => starts.get(seq)! - at))
}

/** storage.set through the SDK against a bare upsert: ms per call, both on fresh files with runtime.db's pragmas. */
async function storageCosts(root: string): Promise<{ ours: number; bare: number }> {
  const ours: number[] = []
  const bare: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const db = openRuntimeDb(join(root, `storage-${r}`))
    const storage = createStorageApi(createHostServices(db), 'bench', 'in the bench')
    let t0 = performance.now()
    for (let i = 0; i < STORAGE_SETS; i++) await storage.set(`key-${i % 1000}`, { n: i, at: 'x'.repeat(32) })
    ours.push((performance.now() - t0) / STORAGE_SETS)
    db.close()
    const raw = openDatabase(join(root, `bare-${r}.db`), { synchronous: 'NORMAL' })
    raw.exec(
      'CREATE TABLE kv (plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (plugin, key)) WITHOUT ROWID',
    )
    const upsert = raw.prepare(
      'INSERT INTO kv (plugin, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    )
    t0 = performance.now()
    for (let i = 0; i < STORAGE_SETS; i++) upsert.run('bench', `key-${i % 1000}`, JSON.stringify({ n: i, at: 'x'.repeat(32) }), Date.now())
    bare.push((performance.now() - t0) / STORAGE_SETS)
    raw.close()
    progress(
      `storage round ${r + 1}: storage.set ${(ours.at(-1)! * 1000).toFixed(1)} µs, bare upsert ${(bare.at(-1)! * 1000).toFixed(1)} µs`,
    )
  }
  return { ours: median(ours), bare: median(bare) }
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-plugin-runtime-'))
  let worker: ChildProcess | undefined
  try {
    const install = await startInstall(root)
    worker = install.worker
    const { db } = install
    // The first import creates the resources (resource.created: no subscriber), so every later round changes all N.
    await hookRate(db, 0)
    const hooks: number[] = []
    const plain: number[] = []
    for (let r = 1; r <= ROUNDS; r++) {
      hooks.push(await hookRate(db, r))
      plain.push(await plainRate(db))
      progress(`round ${r}: hook deliveries ${hooks.at(-1)!.toFixed(0)} changes/s, plain events ${plain.at(-1)!.toFixed(0)} events/s`)
    }
    const hookLat = await hookLatency(db, worker)
    const plainLat = await plainLatency(db, worker)
    progress(
      `change to hook handler p50 ${hookLat.p50} ms (p95 ${hookLat.p95}); plain due to start p50 ${plainLat.p50} ms (p95 ${plainLat.p95})`,
    )
    db.close()
    const storage = await storageCosts(root)
    const h = median(hooks)
    const p = median(plain)
    return [
      {
        name: 'plugin-runtime.hook-throughput',
        what: `resource hook deliveries end to end: ${N} changes in one \`resources import\` (changes + their hook jobs in one transaction), each delivered to a no-op resource.modified hook, one worker (default concurrency); median of ${ROUNDS} (higher is better)`,
        value: h,
        unit: 'changes/s',
        baseline: { what: `${N} plain scheduled events of a no-op type, same worker`, value: p },
        ratio: h / p,
        notes:
          'no goal set: a change writes the resource and its delivery (two rows) where an event writes one, so about 0.5x is the expected shape',
      },
      {
        name: 'plugin-runtime.change-to-hook',
        what: `change to hook handler start, p50, one DbObjects-style update at a time at ${RATE_PER_S}/s, idle worker (p95 ${hookLat.p95} ms)`,
        value: hookLat.p50,
        unit: 'ms',
        baseline: {
          what: `plain events inserted at their due time at ${RATE_PER_S}/s: due to start p50 (p95 ${plainLat.p95} ms)`,
          value: plainLat.p50,
        },
        ratio: plainLat.p50 ? hookLat.p50 / plainLat.p50 : null,
        goal: '<= 50 ms',
        met: hookLat.p50 <= 50,
      },
      {
        name: 'plugin-runtime.storage-set',
        what: `storage.set (SDK call: JSON, quota check, upsert in BEGIN IMMEDIATE), ${STORAGE_SETS} sets over 1000 keys; median of ${ROUNDS}`,
        value: storage.ours * 1000,
        unit: 'µs',
        baseline: { what: 'bare better-sqlite3 upsert, same WAL and synchronous=NORMAL, autocommit', value: storage.bare * 1000 },
        ratio: storage.ours / storage.bare,
        goal: '<= 2x',
        met: storage.ours / storage.bare <= 2,
      },
    ]
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM')
      await new Promise((r) => worker!.once('exit', r))
    }
    rmSync(root, { recursive: true, force: true })
  }
}
