import { AppError } from '../errors/app-error.ts'
import type { Db } from '../store/open-database.ts'
import { JOB_STATUSES, toJobRecord, type JobRecord, type JobRow, type JobStatus } from './job-types.ts'

export interface JobFilter {
  status?: JobStatus
  eventType?: string
  bot?: string
  /** The plugin that scheduled it (or 'cli', 'scheduler'). */
  owner?: string
  limit?: number
}

/** What operators do with jobs: list, show, retry, cancel (`app events`, the JSON API, DbObjects.events). */
export function createJobAdmin(db: Db) {
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?')
  const counts = db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status')
  const retry =
    db.prepare(`UPDATE jobs SET status = 'pending', attempts = 0, run_at = @now, finished_at = NULL, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
    WHERE id = @id AND status IN ('failed', 'cancelled', 'done', 'orphaned')`)
  const cancel = db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND status IN ('pending', 'orphaned', 'running')`)
  const removeSchedule = db.prepare('DELETE FROM schedules WHERE id = ?')

  const get = (id: number): JobRecord => {
    const row = byId.get(id) as JobRow | undefined
    if (!row)
      throw new AppError(
        'EVENT_NOT_FOUND',
        `no event with id ${id}; \`app events list\` shows the events kept (finished ones are pruned after jobs.retentionMs).`,
      )
    return toJobRecord(row)
  }

  return {
    async list(filter: JobFilter = {}): Promise<JobRecord[]> {
      if (filter.status && !JOB_STATUSES.includes(filter.status)) {
        throw new AppError('USAGE', `unknown status "${filter.status}"; expected one of ${JOB_STATUSES.join(', ')}`, { exitCode: 2 })
      }
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
    /** Runs a finished, cancelled or orphaned job again now, with a fresh set of attempts. */
    async retry(id: number): Promise<JobRecord> {
      return db
        .transaction(() => {
          const job = get(id)
          if (retry.run({ id, now: Date.now() }).changes === 0) {
            throw new AppError(
              'EVENT_NOT_RETRYABLE',
              `event ${id} is ${job.status}; only failed, cancelled, done or orphaned events can be retried (a pending or running one will run anyway).`,
            )
          }
          return get(id)
        })
        .immediate()
    },
    /**
     * Cancels a pending, orphaned or running job. A running handler finishes, but its result is dropped and it is not retried.
     * `schedule`: also delete the recurring schedule (interval, cron or bot schedule) that fired it, so it fires no more.
     */
    async cancel(
      id: number,
      options: { schedule?: boolean } = {},
    ): Promise<{ job: JobRecord; wasRunning: boolean; scheduleRemoved: boolean }> {
      return db
        .transaction(() => {
          const job = get(id)
          const cancelled = cancel.run({ id, now: Date.now() }).changes > 0
          if (options.schedule && job.scheduleId === null) {
            throw new AppError(
              'EVENT_NOT_SCHEDULED',
              `event ${id} was not fired by a recurring schedule (it was scheduled once, or queued by \`app bots run\`), so there is no schedule to remove.`,
            )
          }
          const scheduleRemoved = options.schedule ? removeSchedule.run(job.scheduleId).changes > 0 : false
          if (!cancelled && !options.schedule) {
            throw new AppError(
              'EVENT_NOT_CANCELLABLE',
              `event ${id} is already ${job.status}; only pending, orphaned or running events can be cancelled (add --schedule to stop the recurring schedule that fired it).`,
            )
          }
          return { job: get(id), wasRunning: cancelled && job.status === 'running', scheduleRemoved }
        })
        .immediate()
    },
  }
}
