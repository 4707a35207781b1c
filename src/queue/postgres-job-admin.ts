import { type PgClient, type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { checkJobFilter, eventNotCancellable, eventNotFound, eventNotRetryable, eventNotScheduled } from './job-admin-errors.ts'
import type { JobAdmin } from './job-queue.ts'
import { JOB_STATUSES, type JobRecord, type JobRow, type JobStatus, toJobRecord } from './job-types.ts'
import { notifyJobs } from './postgres-notify-jobs.ts'

const RETRY = `UPDATE runtime.jobs SET status = 'pending', attempts = 0, run_at = $2, finished_at = NULL,
    lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
  WHERE id = $1 AND status IN ('failed', 'cancelled', 'done', 'orphaned') RETURNING run_at`
const CANCEL = `UPDATE runtime.jobs SET status = 'cancelled', finished_at = $2, lease_owner = NULL, lease_expires_at = NULL
  WHERE id = $1 AND status IN ('pending', 'orphaned', 'running')`

/** What operators do with jobs, on PostgreSQL (see JobAdmin); the same answers and errors as the SQLite admin. */
export function createPostgresJobAdmin(pool: PgPool): JobAdmin {
  // FOR UPDATE inside the write transactions: the status read and the change it decides on see the same row.
  const get = async (db: PgPool | PgClient, id: number, lock = ''): Promise<JobRecord> => {
    const { rows } = await db.query<JobRow>(`SELECT * FROM runtime.jobs WHERE id = $1 ${lock}`, [id])
    if (!rows[0]) throw eventNotFound(id)
    return toJobRecord(rows[0])
  }

  return {
    async list(filter = {}) {
      checkJobFilter(filter)
      const where: string[] = []
      const params: unknown[] = []
      for (const [column, value] of [
        ['status', filter.status],
        ['event_type', filter.eventType],
        ['bot', filter.bot],
        ['owner', filter.owner],
      ] as const) {
        if (!value) continue
        params.push(value)
        where.push(`${column} = $${params.length}`)
      }
      params.push(filter.limit ?? 100)
      const sql = `SELECT * FROM runtime.jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`
      return (await pool.query<JobRow>(sql, params)).rows.map(toJobRecord)
    },
    get: (id) => get(pool, id),
    async counts() {
      const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>
      const { rows } = await pool.query<{ status: JobStatus; n: number }>(
        'SELECT status, count(*)::int AS n FROM runtime.jobs GROUP BY status',
      )
      for (const r of rows) out[r.status] = r.n
      return out
    },
    async retry(id) {
      return withTransaction(pool, async (c) => {
        const job = await get(c, id, 'FOR UPDATE')
        const { rows } = await c.query<{ run_at: number }>(RETRY, [id, Date.now()])
        if (!rows.length) throw eventNotRetryable(id, job.status)
        await notifyJobs(c, rows)
        return get(c, id)
      })
    },
    async cancel(id, options = {}) {
      return withTransaction(pool, async (c) => {
        const job = await get(c, id, 'FOR UPDATE')
        const cancelled = ((await c.query(CANCEL, [id, Date.now()])).rowCount ?? 0) > 0
        if (options.schedule && job.scheduleId === null) throw eventNotScheduled(id)
        const scheduleRemoved = options.schedule
          ? ((await c.query('DELETE FROM runtime.schedules WHERE id = $1', [job.scheduleId])).rowCount ?? 0) > 0
          : false
        if (!cancelled && !options.schedule) throw eventNotCancellable(id, job.status)
        return { job: await get(c, id), wasRunning: cancelled && job.status === 'running', scheduleRemoved }
      })
    },
    async facets(limit = 200) {
      // COLLATE "C": the order of SQLite's BINARY collation, whatever the database's locale.
      const [types, owners] = await Promise.all([
        pool.query<{ v: string }>('SELECT DISTINCT event_type COLLATE "C" AS v FROM runtime.jobs ORDER BY 1 LIMIT $1', [limit]),
        pool.query<{ v: string }>('SELECT DISTINCT owner COLLATE "C" AS v FROM runtime.jobs WHERE owner IS NOT NULL ORDER BY 1 LIMIT $1', [
          limit,
        ]),
      ])
      return { eventTypes: types.rows.map((r) => r.v), owners: owners.rows.map((r) => r.v) }
    },
  }
}
