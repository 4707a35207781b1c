// The baselines of bench/postgres-queue.bench.ts, each on its own fresh database, each running N no-op jobs
// inserted beforehand, timed from the moment its workers start to the moment the last completion is committed:
// graphile-worker 0.17 and pg-boss 10 at the same concurrency as ours, and the bare SKIP LOCKED claim loop.
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker'
import pg from 'pg'
import PgBoss from 'pg-boss'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const quiet = new Logger(() => () => {})

/** Polls a cheap EXISTS probe until it says false: the end of a run, seen from outside the queue. */
async function untilEmpty(client: pg.Client, probe: string, params: unknown[], what: string, pollMs = 5): Promise<void> {
  const deadline = Date.now() + 300_000
  while ((await client.query<{ busy: boolean }>(probe, params)).rows[0]!.busy) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(pollMs)
  }
}

/** graphile-worker with its batching on (local queue of 256 as our claim, completions batched): its fastest setup. */
async function startGraphile(url: string, concurrency: number) {
  await runMigrations({ connectionString: url, logger: quiet })
  const utils = await makeWorkerUtils({ connectionString: url, logger: quiet })
  const probe = new pg.Client({ connectionString: url })
  probe.on('error', () => {})
  await probe.connect()
  // Its pool is ours, so it is closed (and listened to) like the others.
  const pgPool = new pg.Pool({ connectionString: url, max: 10, application_name: 'bench graphile-worker' })
  pgPool.on('error', () => {})
  pgPool.on('connect', (client) => client.on('error', () => {}))
  let runner: Awaited<ReturnType<typeof run>> | null = null
  const g = {
    handled: 0,
    addJobs: (n: number) => utils.addJobs(Array.from({ length: n }, (_, i) => ({ identifier: 'noop', payload: { i } }))),
    async start() {
      runner = await run({
        pgPool,
        concurrency,
        noHandleSignals: true,
        logger: quiet,
        taskList: {
          noop: async () => {
            g.handled++
          },
        },
        preset: { worker: { localQueue: { size: 256 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      })
    },
    /** Completed jobs are deleted: the table empties when the last completion is committed. */
    untilEmpty: (pollMs: number) =>
      untilEmpty(probe, 'SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS busy', [], 'graphile-worker', pollMs),
    async close() {
      await runner?.stop()
      await utils.release()
      await Promise.all([probe.end(), pgPool.end()])
    },
  }
  return g
}

/** graphile-worker on n jobs inserted beforehand, timed from the start of its worker to the last completion. */
export async function graphileRate(url: string, n: number, concurrency: number): Promise<number> {
  const g = await startGraphile(url, concurrency)
  try {
    await g.addJobs(n)
    const t0 = performance.now()
    await g.start()
    await g.untilEmpty(5)
    const seconds = (performance.now() - t0) / 1000
    if (g.handled !== n) throw new Error(`graphile-worker ran ${g.handled} of ${n} jobs`)
    return n / seconds
  } finally {
    await g.close()
  }
}

/**
 * graphile-worker end to end, as the worker role is timed: its worker started and idle, then n jobs added in one
 * call (woken by its NOTIFY), timed from the start of the insert to the last completion, polled every pollMs.
 */
export async function graphileEndToEndRate(url: string, n: number, concurrency: number, pollMs: number): Promise<number> {
  const g = await startGraphile(url, concurrency)
  try {
    await g.start()
    const t0 = performance.now()
    await g.addJobs(n)
    await g.untilEmpty(pollMs)
    const seconds = (performance.now() - t0) / 1000
    if (g.handled !== n) throw new Error(`graphile-worker ran ${g.handled} of ${n} jobs`)
    return n / seconds
  } finally {
    await g.close()
  }
}

/** pg-boss: `concurrency` workers of batchSize 64 (what one of our handler threads holds), at its shortest polling interval. */
export async function pgBossRate(url: string, n: number, concurrency: number): Promise<number> {
  const boss = new PgBoss({ connectionString: url, schedule: false, supervise: false, max: concurrency + 2 })
  let stopped = false
  // Once stopped, its idle connections dropping with the database are no news.
  boss.on('error', (error) => stopped || process.stderr.write(`pg-boss: ${error.message}\n`))
  await boss.start()
  await boss.createQueue('bench')
  await boss.insert(Array.from({ length: n }, (_, i) => ({ name: 'bench', data: { i } })))
  const probe = new pg.Client({ connectionString: url })
  probe.on('error', () => {})
  await probe.connect()
  let handled = 0
  const t0 = performance.now()
  try {
    for (let i = 0; i < concurrency; i++)
      await boss.work('bench', { batchSize: 64, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const _ of jobs) handled++
      })
    await untilEmpty(
      probe,
      `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state < 'completed') AS busy`,
      ['bench'],
      'pg-boss',
    )
    const seconds = (performance.now() - t0) / 1000
    if (handled !== n) throw new Error(`pg-boss ran ${handled} of ${n} jobs`)
    return n / seconds
  } finally {
    stopped = true
    await boss.stop({ graceful: false, wait: true })
    await probe.end()
  }
}

/**
 * The floor: `concurrency` loops on our table, each claiming a batch with UPDATE ... SKIP LOCKED ... RETURNING
 * (with the claim plan ours uses) and marking it done with one UPDATE; no handler, no starts, no heartbeat, no wake-ups.
 */
export async function bareRate(url: string, n: number, concurrency: number, batch: number): Promise<number> {
  // The plan our claim gets (see postgres-job-queue.ts), set for the whole session: no extra round trips.
  const pool = new pg.Pool({
    connectionString: url,
    max: concurrency,
    application_name: 'bench bare loop',
    options: '-c enable_bitmapscan=off',
  })
  // A connection still closing when the database is dropped reports its termination here: not a failure of the run.
  pool.on('error', () => {})
  const claim = `UPDATE runtime.jobs SET status = 'running', lease_owner = 'bare', claim_token = $1, lease_expires_at = $2
    WHERE id IN (SELECT id FROM runtime.jobs WHERE status IN ('pending', 'orphaned') AND run_at <= $3 ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED)
    RETURNING id`
  const done = `UPDATE runtime.jobs SET status = 'done', finished_at = $1 WHERE id = ANY($2::bigint[]) AND claim_token = $3 AND status = 'running'`
  let completed = 0
  let token = 0
  const loop = async () => {
    for (;;) {
      const t = String(++token)
      const { rows } = await pool.query<{ id: string }>(claim, [t, Date.now() + 30_000, Date.now(), batch])
      if (!rows.length) return
      await pool.query(done, [Date.now(), rows.map((r) => r.id), t])
      completed += rows.length
    }
  }
  try {
    const t0 = performance.now()
    await Promise.all(Array.from({ length: concurrency }, loop))
    const seconds = (performance.now() - t0) / 1000
    if (completed !== n) throw new Error(`the bare loop completed ${completed} of ${n}`)
    return n / seconds
  } finally {
    await pool.end()
  }
}
