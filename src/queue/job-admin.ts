import type { Db } from '../store/open-database.ts'
import { checkJobFilter, eventNotCancellable, eventNotFound, eventNotRetryable, eventNotScheduled } from './job-admin-errors.ts'
import type { JobAdmin, JobFilter } from './job-queue.ts'
import { JOB_STATUSES, toJobRecord, type JobRecord, type JobRow, type JobStatus } from './job-types.ts'

export type { JobFilter } from './job-queue.ts'

/** What operators do with jobs, on runtime.db (see JobAdmin). */
export function createJobAdmin(db: Db): JobAdmin {
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?')
  const counts = db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status')
  const retry =
    db.prepare(`UPDATE jobs SET status = 'pending', attempts = 0, run_at = @now, finished_at = NULL, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
    WHERE id = @id AND status IN ('failed', 'cancelled', 'done', 'orphaned')`)
  const cancel = db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND status IN ('pending', 'orphaned', 'running')`)
  const removeSchedule = db.prepare('DELETE FROM schedules WHERE id = ?')
  const eventTypes = db.prepare('SELECT DISTINCT event_type FROM jobs ORDER BY 1 LIMIT ?').pluck()
  const owners = db.prepare('SELECT DISTINCT owner FROM jobs WHERE owner IS NOT NULL ORDER BY 1 LIMIT ?').pluck()

  const get = (id: number): JobRecord => {
    const row = byId.get(id) as JobRow | undefined
    if (!row) throw eventNotFound(id)
    return toJobRecord(row)
  }

  return {
    async list(filter: JobFilter = {}): Promise<JobRecord[]> {
      checkJobFilter(filter)
      const where: string[] = []
      const params: unknown[] = []
      if (filter.status) {
        where.push('status = ?')
        params.push(filter.status)
      }
      if (filter.eventType) {
        where.push('event_type = ?')
        params.push(filter.eventType)
      }
      if (filter.bot) {
        where.push('bot = ?')
        params.push(filter.bot)
      }
      if (filter.owner) {
        where.push('owner = ?')
        params.push(filter.owner)
      }
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`
      return (db.prepare(sql).all(...params, filter.limit ?? 100) as JobRow[]).map(toJobRecord)
    },
    async get(id: number): Promise<JobRecord> {
      return get(id)
    },
    async counts(): Promise<Record<JobStatus, number>> {
      const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>
      for (const r of counts.all() as Array<{ status: JobStatus; n: number }>) out[r.status] = r.n
      return out
    },
    async retry(id: number): Promise<JobRecord> {
      return db
        .transaction(() => {
          const job = get(id)
          if (retry.run({ id, now: Date.now() }).changes === 0) throw eventNotRetryable(id, job.status)
          return get(id)
        })
        .immediate()
    },
    async cancel(
      id: number,
      options: { schedule?: boolean } = {},
    ): Promise<{ job: JobRecord; wasRunning: boolean; scheduleRemoved: boolean }> {
      return db
        .transaction(() => {
          const job = get(id)
          const cancelled = cancel.run({ id, now: Date.now() }).changes > 0
          if (options.schedule && job.scheduleId === null) throw eventNotScheduled(id)
          const scheduleRemoved = options.schedule ? removeSchedule.run(job.scheduleId).changes > 0 : false
          if (!cancelled && !options.schedule) throw eventNotCancellable(id, job.status)
          return { job: get(id), wasRunning: cancelled && job.status === 'running', scheduleRemoved }
        })
        .immediate()
    },
    async facets(limit = 200) {
      return { eventTypes: eventTypes.all(limit) as string[], owners: owners.all(limit) as string[] }
    },
  }
}
