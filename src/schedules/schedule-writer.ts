import type { Db } from '../store/open-database.ts'
import type { ScheduleData } from '../sdk/host-services.ts'

export interface NewSchedule {
  /** Identifies the schedule: the same bot, resource, type and schedule is one row, however often it is scheduled. */
  key: string
  eventType: string
  bot?: string | null
  resource?: string | null
  description?: string | null
  payload?: unknown
  schedule: ScheduleData
  nextRunAt: number
  owner?: string | null
}

/** Recurring schedules (interval, cron; bot schedules too). Sync: callers hold the transaction. */
export function createScheduleWriter(db: Db) {
  // Re-applying the same schedule keeps its rhythm; a changed schedule starts over.
  const upsert =
    db.prepare(`INSERT INTO schedules (key, event_type, bot, resource, description, payload, schedule, next_run_at, owner, created_at)
    VALUES (@key, @eventType, @bot, @resource, @description, @payload, @schedule, @nextRunAt, @owner, @now)
    ON CONFLICT (key) DO UPDATE SET description = excluded.description, payload = excluded.payload, owner = excluded.owner,
      next_run_at = CASE WHEN schedules.schedule = excluded.schedule THEN schedules.next_run_at ELSE excluded.next_run_at END,
      schedule = excluded.schedule`)
  const remove = db.prepare('DELETE FROM schedules WHERE key = ?')
  return {
    upsert(s: NewSchedule): void {
      upsert.run({
        key: s.key,
        eventType: s.eventType,
        bot: s.bot ?? null,
        resource: s.resource ?? null,
        description: s.description ?? null,
        payload: s.payload === undefined ? null : JSON.stringify(s.payload),
        schedule: JSON.stringify(s.schedule),
        nextRunAt: s.nextRunAt,
        owner: s.owner ?? null,
        now: Date.now(),
      })
    },
    remove(key: string): void {
      remove.run(key)
    },
  }
}
