import type { ScheduleData } from '../sdk/host-services.ts'
import { BOT_RUN, type NewJob } from '../queue/job-types.ts'
import { nextRunAt } from './schedule-data.ts'
import { isPluginJobType } from './plugin-job-type.ts'

/** A schedules row, as both backends return it. */
export interface ScheduleRow {
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

/** What firing one due schedule does: the job to enqueue (none for a bot that is gone or disabled), and its next time (null: delete the row). */
export interface Firing {
  job: NewJob | null
  next: number | null
}

/**
 * One due schedule fired at `now`, the same on every backend: one job for its due time, keyed by schedule and
 * time (so a repeated pass, or a second scheduler, adds nothing), and the time it moves to. `botEnabled`: whether
 * the bot of a bot run is there and enabled; if not the schedule goes (`app bots apply` adds it back).
 */
export function fireSchedule(row: ScheduleRow, now: number, botEnabled: boolean): Firing {
  if (row.event_type === BOT_RUN && !botEnabled) return { job: null, next: null }
  const job: NewJob = {
    eventType: row.event_type,
    bot: row.bot,
    resource: row.resource,
    description: row.description,
    payload: row.payload === null ? undefined : JSON.parse(row.payload),
    runAt: row.next_run_at,
    idempotencyKey: `schedule:${row.id}@${row.next_run_at}`,
    scheduleId: row.id,
    owner: row.owner ?? 'scheduler',
  }
  const next = nextRunAt(JSON.parse(row.schedule) as ScheduleData, row.next_run_at, now)
  // A plugin's once-job stays (parked), or the next generation sync would add it back and run it again.
  if (next === null && isPluginJobType(row.key)) return { job, next: Number.MAX_SAFE_INTEGER }
  return { job, next }
}
