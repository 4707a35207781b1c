// What the queue contract cases need from a backend: the JobStore of each app role (on PostgreSQL each on its
// own database role's pool, as in production; on SQLite each on its own connection to one runtime.db) and a
// few direct reads and writes of what a case sets up (a worker's processes row, a lease) or checks.
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import type { PgPool } from '../../src/postgres/open-postgres.ts'
import type { JobQueue, JobStore } from '../../src/queue/job-queue.ts'
import type { ClaimedJob, JobResult } from '../../src/queue/job-types.ts'
import { createPostgresJobStore } from '../../src/queue/postgres-job-store.ts'
import { createSqliteJobStore } from '../../src/queue/sqlite-job-store.ts'
import type { RuntimeBackend } from './runtime-backends.ts'

export const TYPES = JSON.stringify(['work'])

export interface QueueFixture {
  /** The JobStore on each app role's connection. */
  role: Record<DbRoleName, JobStore>
  /** A second worker process: its own connection. */
  otherWorker: JobStore
  /** A worker's processes row, beating now; returns its id (the lease owner). */
  registerWorker(): Promise<string>
  /** One statement with `$n` parameters in order and `runtime.` tables (rewritten for SQLite); returns the rows. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
}

export function queueFixture(b: RuntimeBackend): QueueFixture {
  let sql: QueueFixture['sql']
  let role: Record<DbRoleName, JobStore>
  let otherWorker: JobStore
  if (b.kind === 'sqlite') {
    sql = async <T>(text: string, params: unknown[] = []) => {
      const stmt = b.db.prepare(text.replace(/\$\d+/g, '?').replaceAll('runtime.', ''))
      if (stmt.reader) return stmt.all(...params) as T[]
      stmt.run(...params)
      return []
    }
    role = { scheduler: createSqliteJobStore(b.open()), worker: createSqliteJobStore(b.db), web: createSqliteJobStore(b.open()) }
    otherWorker = createSqliteJobStore(b.open())
  } else {
    const { admin } = b
    sql = async <T>(text: string, params: unknown[] = []) => (await admin.query(text, params)).rows as T[]
    const store = (pool: PgPool) => createPostgresJobStore(pool)
    role = { scheduler: store(b.pools.scheduler), worker: store(b.pools.worker), web: store(b.pools.web) }
    // The worker pool holds several connections: a second queue on it claims on another one, concurrently.
    otherWorker = store(b.pools.worker)
  }
  return {
    role,
    otherWorker,
    sql,
    async registerWorker() {
      const id = `worker-${Math.random().toString(36).slice(2, 10)}`
      const now = new Date().toISOString()
      await sql(
        `INSERT INTO runtime.processes (id, role, host, pid, version, started_at, heartbeat_at) VALUES ($1, 'worker', 'test', $2, 'test', $3, $4)`,
        [id, process.pid, now, now],
      )
      return id
    },
  }
}

/** A worker's queue with the usual options. */
export const workerQueue = (
  store: JobStore,
  owner: string,
  options: { leaseMs?: number; maxAttempts?: number; clock?: () => number } = {},
) => store.queue({ owner, leaseMs: options.leaseMs ?? 60_000, maxAttempts: options.maxAttempts ?? 5, clock: options.clock })

export const start = (j: ClaimedJob) => ({ id: j.id, token: j.token, attempt: j.attempt, at: Date.now() })
export const result = (j: ClaimedJob, outcome: JobResult['outcome'], extra: Partial<JobResult> = {}): JobResult => ({
  id: j.id,
  token: j.token,
  attempt: j.attempt,
  outcome,
  ...extra,
})

/** Claims and completes until nothing is due; returns every id it claimed. Asserts nothing it held was lost. */
export async function drain(queue: JobQueue, batch: number): Promise<number[]> {
  const ids: number[] = []
  for (;;) {
    const jobs = await queue.claim(batch, TYPES)
    if (!jobs.length) return ids
    ids.push(...jobs.map((j) => j.id))
    const lost = await queue.complete(jobs.map((j) => result(j, 'done')))
    if (lost.length) throw new Error(`jobs ${lost.join(', ')} were lost by the worker holding them`)
  }
}
