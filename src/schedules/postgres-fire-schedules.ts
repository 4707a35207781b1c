import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { insertPostgresJobs } from '../queue/postgres-insert-jobs.ts'
import { BOT_RUN } from '../queue/job-types.ts'
import { fireSchedule, type ScheduleRow } from './schedule-firing.ts'

const BATCH = 500

// SKIP LOCKED: a second scheduler racing this one takes other due rows, not these; a row it read before this
// transaction committed is re-checked on its new next_run_at and left out. The job's idempotency key
// (schedule and due time) drops anything that still gets through.
const DUE = `SELECT s.*, b.enabled AS bot_enabled FROM runtime.schedules s LEFT JOIN runtime.bots b ON b.name = s.bot
  WHERE s.next_run_at <= $1 AND s.paused = 0 ORDER BY s.next_run_at LIMIT ${BATCH} FOR UPDATE OF s SKIP LOCKED`
const ADVANCE = `UPDATE runtime.schedules s SET next_run_at = v.next, last_run_at = $3
  FROM unnest($1::bigint[], $2::bigint[]) AS v (id, next) WHERE s.id = v.id`
const REMOVE = 'DELETE FROM runtime.schedules WHERE id = ANY($1::bigint[])'

/** The scheduler's firing pass on PostgreSQL (the scheduler's connection): as fire-schedules.ts, in one transaction. */
export function createPostgresScheduleFirer(pool: PgPool) {
  return (now = Date.now()): Promise<number> =>
    withTransaction(pool, async (c) => {
      const { rows } = await c.query<ScheduleRow & { bot_enabled: number | null }>(DUE, [now])
      if (!rows.length) return 0
      const firings = rows.map((row) => ({ id: row.id, ...fireSchedule(row, now, row.event_type !== BOT_RUN || row.bot_enabled === 1) }))
      const fired = await insertPostgresJobs(
        c,
        firings.flatMap((f) => (f.job ? [f.job] : [])),
        now,
      )
      const moved = firings.filter((f) => f.next !== null)
      if (moved.length) await c.query(ADVANCE, [moved.map((f) => f.id), moved.map((f) => f.next), now])
      const gone = firings.filter((f) => f.next === null).map((f) => f.id)
      if (gone.length) await c.query(REMOVE, [gone])
      return fired
    })
}
