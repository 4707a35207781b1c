import type { Db } from '../store/open-database.ts'
import type { ScheduleData } from '../sdk/host-services.ts'
import { createJobInserter } from '../queue/insert-jobs.ts'
import { BOT_RUN } from '../queue/job-types.ts'
import { nextRunAt } from './schedule-data.ts'
import { isPluginJobType } from './plugin-job-type.ts'

const BATCH = 500

interface ScheduleRow {
  id: number
  key: string
  event_type: string
  bot: string | null
  resource: string | null
  description: string | null
  payload: string | null
  schedule: string
  next_run_at: number
  owner: string | null
}

/**
 * One pass over due recurring schedules: each enqueues one job for its due
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
      if (row.event_type === BOT_RUN && botEnabled.get(row.bot) !== 1) {
        remove.run(row.id) // the bot is gone or disabled; `app bots apply` adds the schedule back
        continue
      }
      fired += insert(
        [
          {
            eventType: row.event_type,
            bot: row.bot,
            resource: row.resource,
            description: row.description,
            payload: row.payload === null ? undefined : JSON.parse(row.payload),
            runAt: row.next_run_at,
            idempotencyKey: `schedule:${row.id}@${row.next_run_at}`,
            scheduleId: row.id,
            owner: row.owner ?? 'scheduler',
          },
        ],
        now,
      )
      const next = nextRunAt(JSON.parse(row.schedule) as ScheduleData, row.next_run_at, now)
      // A plugin's once-job stays (parked), or the next generation sync would add it back and run it again.
      if (next === null && isPluginJobType(row.key)) advance.run(Number.MAX_SAFE_INTEGER, now, row.id)
      else if (next === null) remove.run(row.id)
      else advance.run(next, now, row.id)
    }
    return fired
  })

  /** Fires every schedule due at `now`; resolves with the number of jobs enqueued. */
  return async (now = Date.now()): Promise<number> => fire.immediate(now)
}
