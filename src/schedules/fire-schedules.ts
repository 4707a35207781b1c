import type { Db } from '../store/open-database.ts'
import { createJobInserter } from '../queue/insert-jobs.ts'
import { BOT_RUN } from '../queue/job-types.ts'
import { fireSchedule, type ScheduleRow } from './schedule-firing.ts'

const BATCH = 500

/**
 * One pass over due recurring schedules in runtime.db: each enqueues one job for its due
 * time (keyed by schedule and time, so a repeated pass adds nothing) and moves
 * to its next time, in one transaction.
 */
export function createScheduleFirer(db: Db) {
  // Paused: a plugin job whose plugin left the generation (sync-plugin-registrations.ts).
  const due = db.prepare(`SELECT * FROM schedules WHERE next_run_at <= ? AND paused = 0 ORDER BY next_run_at LIMIT ${BATCH}`)
  const advance = db.prepare('UPDATE schedules SET next_run_at = ?, last_run_at = ? WHERE id = ?')
  const remove = db.prepare('DELETE FROM schedules WHERE id = ?')
  const botEnabled = db.prepare('SELECT enabled FROM bots WHERE name = ?').pluck()
  const insert = createJobInserter(db)

  const fire = db.transaction((now: number) => {
    let fired = 0
    for (const row of due.all(now) as ScheduleRow[]) {
      const { job, next } = fireSchedule(row, now, row.event_type !== BOT_RUN || botEnabled.get(row.bot) === 1)
      if (job) fired += insert([job], now)
      if (next === null) remove.run(row.id)
      else advance.run(next, now, row.id)
    }
    return fired
  })

  /** Fires every schedule due at `now`; resolves with the number of jobs enqueued. */
  return async (now = Date.now()): Promise<number> => fire.immediate(now)
}
