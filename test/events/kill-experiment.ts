// The kill -9 experiment (bench/kill-jobs.ts runs it full size, test/events/kill-jobs.test.ts small):
// real scheduler and worker processes on a temp data dir, events of a fixed duration spread over the run,
// a worker killed with SIGKILL (and restarted) at regular intervals. The handler (test.record of the jobs
// test plugin) writes a start and an end line per run into a file; from those and runtime.db it counts
// events lost, failed without ever starting, run twice at the same time, and how long a killed worker's
// jobs waited to be claimed again.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { startCli, type RunningRole } from '../helpers/cli.ts'
import { writeJobsConfig, writeJobsPlugin } from './fixtures/jobs-plugin.ts'

export interface KillExperimentOptions {
  workers: number
  threads: number
  events: number
  /** How long each handler runs. */
  eventMs: number
  kills: number
  /** Events are due evenly over this span, and the kills happen in it. */
  spanMs: number
  /** Extra [jobs] settings (defaults otherwise: the experiment measures what an install gets). */
  jobs?: Parameters<typeof writeJobsConfig>[1]
  /** How long to wait for the last events after the last kill. */
  settleMs?: number
  progress?: (line: string) => void
}

export interface KillExperimentResult {
  events: number
  kills: number
  done: number
  failed: number
  /** Not done at the end (pending, running, or gone). */
  lost: number
  failedNeverStarted: number
  /** Events with two runs whose start-to-end intervals overlap. */
  concurrentDoubleRuns: number
  /** Handler runs beyond one per event: runs a kill cut short, run again (at least once delivery). */
  reruns: number
  /** Per job a killed worker held: kill to claimed by another worker, ms. */
  recoveryMs: { jobs: number; median: number | null; p95: number | null; max: number | null }
  wallMs: number
  settings: Omit<KillExperimentOptions, 'progress'>
}

interface Trace {
  id: number
  what: 'start' | 'end'
  attempt: number
  pid: number
  t: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const quantile = (xs: number[], q: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]! : null

export async function runKillExperiment(options: KillExperimentOptions): Promise<KillExperimentResult> {
  const { progress = () => {} } = options
  const root = mkdtempSync(join(tmpdir(), 'app-kill-jobs-'))
  const roles: RunningRole[] = []
  const env = { APP_SETTLE_MS: '0', APP_LOG_LEVEL: 'warn' }
  try {
    mkdirSync(join(root, 'plugins'))
    writeJobsPlugin(join(root, 'plugins'))
    writeJobsConfig(root, { ...options.jobs })
    const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
      cwd: root,
      env: { ...env, APP_LOG_LEVEL: 'info' },
    })
    roles.push(scheduler)
    await scheduler.waitFor(/scheduler started/, 60_000)
    const startWorker = async () => {
      const w = startCli(['--role=worker', '--data-dir', 'data', '--concurrency', String(options.threads)], {
        cwd: root,
        env: { ...env, APP_LOG_LEVEL: 'info' },
      })
      roles.push(w)
      await w.waitFor(/handlers ready/, 60_000)
      return w
    }
    const workers = await Promise.all(Array.from({ length: options.workers }, startWorker))
    const db = openRuntimeDb(join(root, 'data'))
    const trace = join(root, 'trace.jsonl')
    const t0 = Date.now() + 500
    const gap = options.spanMs / options.events
    await enqueueJobs(
      db,
      Array.from({ length: options.events }, (_, i) => ({
        eventType: 'test.record',
        runAt: Math.round(t0 + i * gap),
        payload: { file: trace, ms: options.eventMs },
      })),
    )
    const ids = db.prepare('SELECT id FROM jobs ORDER BY id').pluck().all() as number[]

    const killedAt = new Map<number, number>()
    const recoveries: Array<Promise<number[]>> = []
    const every = options.spanMs / (options.kills + 1)
    for (let k = 0; k < options.kills; k++) {
      await sleep(Math.max(0, t0 + (k + 1) * every - Date.now()))
      const slot = k % workers.length
      const victim = workers[slot]!
      const pid = victim.child.pid!
      const owner = db.prepare('SELECT id FROM processes WHERE pid = ? ORDER BY started_at DESC LIMIT 1').pluck().get(pid) as string
      const at = Date.now()
      victim.child.kill('SIGKILL')
      await victim.exited
      killedAt.set(pid, at)
      const held = db.prepare(`SELECT id FROM jobs WHERE status = 'running' AND lease_owner = ?`).pluck().all(owner) as number[]
      recoveries.push(watchRecovery(db, owner, held, at))
      progress(`kill ${k + 1}/${options.kills}: worker pid ${pid} held ${held.length} job(s); restarting it`)
      workers[slot] = await startWorker()
    }
    const recovery = (await Promise.all(recoveries)).flat()
    const terminal = db.prepare(`SELECT count(*) FROM jobs WHERE status IN ('done', 'failed')`).pluck()
    const settleBy = Date.now() + (options.settleMs ?? 120_000)
    while ((terminal.get() as number) < options.events && Date.now() < settleBy) await sleep(200)
    const wallMs = Date.now() - t0

    const rows = db.prepare('SELECT id, status FROM jobs').all() as Array<{ id: number; status: string }>
    const status = new Map(rows.map((r) => [r.id, r.status]))
    const traces = readTraces(trace)
    const started = new Set(traces.filter((x) => x.what === 'start').map((x) => x.id))
    db.close()
    const count = (s: string) => ids.filter((id) => status.get(id) === s).length
    const sorted = [...recovery].sort((a, b) => a - b)
    const { settleMs: _settle, progress: _progress, ...settings } = options
    return {
      events: options.events,
      kills: options.kills,
      done: count('done'),
      failed: count('failed'),
      lost: ids.filter((id) => !['done', 'failed'].includes(status.get(id) ?? 'gone')).length,
      failedNeverStarted: ids.filter((id) => status.get(id) === 'failed' && !started.has(id)).length,
      concurrentDoubleRuns: overlapping(traces, killedAt, Date.now()),
      reruns: traces.filter((x) => x.what === 'start').length - started.size,
      recoveryMs: { jobs: sorted.length, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1) ?? null },
      wallMs,
      settings: { ...settings, settleMs: options.settleMs },
    }
  } finally {
    for (const r of roles.reverse()) await r.stop('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  }
}

/** Polls until every job the killed worker held is claimed by another worker (or finished); resolves with each wait in ms. */
async function watchRecovery(db: ReturnType<typeof openRuntimeDb>, owner: string, held: number[], killedAt: number): Promise<number[]> {
  const row = db.prepare('SELECT status, lease_owner FROM jobs WHERE id = ?')
  const waits = new Map<number, number>()
  const deadline = killedAt + 120_000
  while (waits.size < held.length && Date.now() < deadline) {
    for (const id of held) {
      if (waits.has(id)) continue
      const r = row.get(id) as { status: string; lease_owner: string | null }
      if ((r.status === 'running' && r.lease_owner !== owner) || r.status === 'done' || r.status === 'failed')
        waits.set(id, Date.now() - killedAt)
    }
    await sleep(20)
  }
  for (const id of held) if (!waits.has(id)) waits.set(id, Infinity)
  return [...waits.values()]
}

function readTraces(file: string): Trace[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Trace)
  } catch {
    return []
  }
}

/**
 * Events with two runs at the same time. A run is its start line to its end
 * line (same event, process and attempt); a run its process was killed in
 * ends at the kill; a run with neither counts as running to the end.
 */
export function overlapping(traces: Trace[], killedAt: Map<number, number>, end: number): number {
  const runs = new Map<number, Array<[number, number]>>()
  const open = new Map<string, number[]>()
  for (const x of [...traces].sort((a, b) => a.t - b.t)) {
    const key = `${x.id}/${x.pid}/${x.attempt}`
    if (x.what === 'start') {
      open.set(key, [...(open.get(key) ?? []), x.t])
      continue
    }
    const starts = open.get(key)
    const from = starts?.shift()
    if (from !== undefined) runs.set(x.id, [...(runs.get(x.id) ?? []), [from, x.t]])
  }
  for (const [key, starts] of open) {
    const [id, pid] = key.split('/').map(Number) as [number, number]
    for (const from of starts) runs.set(id, [...(runs.get(id) ?? []), [from, killedAt.get(pid) ?? end]])
  }
  let double = 0
  for (const list of runs.values()) {
    let until = -Infinity
    let overlap = false
    for (const [from, to] of list.sort((a, b) => a[0] - b[0])) {
      if (from < until) overlap = true
      until = Math.max(until, to)
    }
    if (overlap) double++
  }
  return double
}
