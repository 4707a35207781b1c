// Queue benchmark on PostgreSQL (issue 15). In each round, on a fresh database each: N no-op jobs inserted, then
// timed from the start of the workers to the last completion committed, at the same concurrency, through our
// PostgreSQL queue adapter (claim, markStarted, handler, complete, as src/worker drives it), graphile-worker 0.17,
// pg-boss 10 and a bare SKIP LOCKED claim loop (the floor). Then due-to-start: jobs inserted at RATE_PER_S with
// run_at = now, the time until a handler starts on each, woken by NOTIFY (no polling). And end to end: a real
// `app --role=worker` process (plugin store moved from SQLite by `app db migrate`) against graphile-worker, each idle
// when N jobs are enqueued in one insert, timed from the insert to the last done (postgres-queue/worker-role.ts).
// Alone: `npm run bench -- postgres-queue`, or `node bench/run-one.ts bench/postgres-queue.bench.ts out.json`.
import { openPostgres } from '../src/postgres/open-postgres.ts'
import type { NewJob } from '../src/queue/job-types.ts'
import { insertPostgresJobs } from '../src/queue/postgres-insert-jobs.ts'
import { median } from './bench-helpers.ts'
import type { BenchResult } from './bench-types.ts'
import { createAppBenchDatabase, createBenchDatabase } from './postgres-queue/bench-database.ts'
import { bareRate, graphileEndToEndRate, graphileRate, pgBossRate } from './postgres-queue/other-queues.ts'
import { startOurWorker } from './postgres-queue/our-worker.ts'
import { prepareWorkerRole } from './postgres-queue/worker-role.ts'

const N = 20_000
/** pg-boss polls (at most every 0.5 s per worker): its rate does not depend on N, so fewer jobs measure it as well. */
const PGBOSS_N = 2_000
const CONCURRENCY = 4
/** Jobs per claim of each bare loop: our worker's largest claim (with 64 the loops ran at a third of the speed here). */
const BARE_BATCH = 256
const ROUNDS = 5
const RATE_PER_S = 50
const LATENCY_JOBS = 500
/** End to end, both sides: how often the count of finished jobs is read (the run ends within this of the last one). */
const END_POLL_MS = 50
const progress = (s: string) => process.stderr.write(`  postgres-queue: ${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const noops = (n: number): NewJob[] => Array.from({ length: n }, (_, i) => ({ eventType: 'bench.noop', runAt: Date.now(), payload: { i } }))

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

type Handler = Parameters<typeof startOurWorker>[0]['handler']
type Ours = { insert(jobs: NewJob[]): Promise<number>; start(handler: Handler): ReturnType<typeof startOurWorker> }

/** A fresh database with our schema; the scheduler's role inserts, the worker's role runs the worker. */
async function withOurs<T>(fn: (o: Ours) => Promise<T>): Promise<T> {
  const db = await createAppBenchDatabase()
  const scheduler = await openPostgres(db.urls.scheduler, { applicationName: 'bench scheduler', max: 2 })
  const pool = await openPostgres(db.urls.worker, { applicationName: 'bench worker', max: 4 })
  const startWorker = (handler: Handler) =>
    startOurWorker({ pool, url: db.urls.worker, owner: 'bench-worker', concurrency: CONCURRENCY, handler })
  try {
    return await fn({ insert: (jobs) => insertPostgresJobs(scheduler, jobs), start: startWorker })
  } finally {
    await Promise.all([scheduler.end(), pool.end()])
    await db.drop()
  }
}

async function ourRate(): Promise<number> {
  return withOurs(async ({ insert, start }) => {
    await insert(noops(N))
    const t0 = performance.now()
    const worker = await start(() => {})
    try {
      await until(() => worker.completed() >= N, 300_000, 'our worker to finish')
      return N / ((performance.now() - t0) / 1000)
    } finally {
      await worker.stop()
    }
  })
}

async function ourLatency(): Promise<{ p50: number; p95: number }> {
  return withOurs(async ({ insert, start }) => {
    const started = new Map<number, number>()
    const worker = await start((job) => {
      started.set((job.payload as { i: number }).i, Date.now())
    })
    const due: number[] = []
    const t0 = Date.now()
    try {
      for (let i = 0; i < LATENCY_JOBS; i++) {
        const wait = t0 + (i * 1000) / RATE_PER_S - Date.now()
        if (wait > 0) await sleep(wait)
        due[i] = Date.now()
        await insert([{ eventType: 'bench.noop', runAt: due[i]!, payload: { i } }])
      }
      await until(() => worker.completed() >= 0 && started.size >= LATENCY_JOBS, 60_000, 'latency jobs to start')
    } finally {
      await worker.stop()
    }
    const delays = due.map((at, i) => started.get(i)! - at).sort((a, b) => a - b)
    return { p50: delays[Math.floor(delays.length * 0.5)]!, p95: delays[Math.floor(delays.length * 0.95)]! }
  })
}

async function onFreshDatabase(fn: (url: string) => Promise<number>): Promise<number> {
  const db = await createBenchDatabase()
  try {
    return await fn(db.url)
  } finally {
    await db.drop()
  }
}

async function bareOnOurs(): Promise<number> {
  const db = await createAppBenchDatabase()
  try {
    const scheduler = await openPostgres(db.urls.scheduler, { applicationName: 'bench scheduler', max: 1 })
    await insertPostgresJobs(scheduler, noops(N))
    await scheduler.end()
    return await bareRate(db.urls.worker, N, CONCURRENCY, BARE_BATCH)
  } finally {
    await db.drop()
  }
}

export async function run(): Promise<BenchResult[]> {
  // Interleaved rounds, medians: the machine is shared and noisy, so each round measures all contenders back to back.
  const rates = { bare: [] as number[], graphile: [] as number[], pgBoss: [] as number[], ours: [] as number[] }
  const endToEnd = { role: [] as number[], graphile: [] as number[] }
  const role = await prepareWorkerRole()
  try {
    for (let r = 0; r < ROUNDS; r++) {
      rates.bare.push(await bareOnOurs())
      rates.graphile.push(await onFreshDatabase((url) => graphileRate(url, N, CONCURRENCY)))
      rates.pgBoss.push(await onFreshDatabase((url) => pgBossRate(url, PGBOSS_N, CONCURRENCY)))
      rates.ours.push(await ourRate())
      // The end-to-end pair in alternating order: neither side always runs right after the heavy rounds above.
      const roleRound = async () => endToEnd.role.push(await role.rate(N, CONCURRENCY, END_POLL_MS))
      const graphileRound = async () =>
        endToEnd.graphile.push(await onFreshDatabase((url) => graphileEndToEndRate(url, N, CONCURRENCY, END_POLL_MS)))
      for (const side of r % 2 ? [graphileRound, roleRound] : [roleRound, graphileRound]) await side()
      const last = Object.entries({ ...rates, roleEndToEnd: endToEnd.role, graphileEndToEnd: endToEnd.graphile })
      progress(`round ${r + 1} (jobs/s): ${last.map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)}`).join(', ')}`)
    }
  } finally {
    role.close()
  }
  const latency = await ourLatency()
  progress(`due-to-start at ${RATE_PER_S} jobs/s: p50 ${latency.p50} ms, p95 ${latency.p95} ms`)
  const [ours, graphile, pgBoss, bare] = [rates.ours, rates.graphile, rates.pgBoss, rates.bare].map(median) as number[]
  const [roleRate, graphileE2e] = [endToEnd.role, endToEnd.graphile].map(median) as number[]
  const what = (vs: string) =>
    `jobs/s on PostgreSQL, ${N} no-op jobs, ${CONCURRENCY} handlers: our queue adapter (claim, markStarted, handler, complete, as src/worker) vs ${vs}; median of ${ROUNDS}, fresh database each`
  return [
    {
      name: 'postgres-queue.worker-role-vs-graphile-worker',
      what: `worker role end to end on PostgreSQL: events/s from enqueueing ${N} no-op events (one insert, as the scheduler's) to the last done, one \`app --role=worker --concurrency ${CONCURRENCY}\` process (store moved by \`app db migrate --from-sqlite\`), idle at the insert; done counted every ${END_POLL_MS} ms; median of ${ROUNDS}, fresh database each`,
      value: roleRate!,
      unit: 'events/s',
      baseline: {
        what: `graphile-worker 0.17 same run, same way: worker idle (concurrency ${CONCURRENCY}, localQueue 256), ${N} jobs in one addJobs, to the last completion`,
        value: graphileE2e!,
      },
      ratio: roleRate! / graphileE2e!,
      goal: '>= 1x',
      met: roleRate! >= graphileE2e!,
    },
    {
      name: 'postgres-queue.vs-graphile-worker',
      what: what('graphile-worker 0.17 (concurrency 4, localQueue 256, completions batched)'),
      value: ours!,
      unit: 'jobs/s',
      baseline: { what: 'graphile-worker 0.17, same handler and concurrency', value: graphile! },
      ratio: ours! / graphile!,
      goal: '>= 1x',
      met: ours! >= graphile!,
    },
    {
      name: 'postgres-queue.vs-pg-boss',
      what: what(`pg-boss 10 (4 workers of batchSize 64, polling every 0.5 s, its minimum; ${PGBOSS_N} jobs)`),
      value: ours!,
      unit: 'jobs/s',
      baseline: { what: 'pg-boss 10, same handler and concurrency', value: pgBoss! },
      ratio: ours! / pgBoss!,
      notes: 'pg-boss waits its polling interval after every batch, so its rate is batchSize x workers / 0.5 s whatever the database does',
    },
    {
      name: 'postgres-queue.vs-bare',
      what: what(
        `a bare SKIP LOCKED loop on our table (${CONCURRENCY} loops, UPDATE ... RETURNING batches of ${BARE_BATCH} with our claim plan, one UPDATE done; no handler)`,
      ),
      value: ours!,
      unit: 'jobs/s',
      baseline: { what: 'bare SKIP LOCKED claim/complete loop', value: bare! },
      ratio: ours! / bare!,
      goal: '>= 0.33x',
      met: ours! / bare! >= 1 / 3,
    },
    {
      name: 'postgres-queue.due-to-start',
      what: `due time to handler start on PostgreSQL, p50, jobs inserted with run_at = now at ${RATE_PER_S}/s, woken by NOTIFY (p95 ${latency.p95} ms)`,
      value: latency.p50,
      unit: 'ms',
      baseline: null,
      ratio: null,
      goal: '<= 50 ms',
      met: latency.p50 <= 50,
    },
  ]
}
