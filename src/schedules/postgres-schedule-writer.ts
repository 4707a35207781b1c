import type { Queryable } from '../postgres/open-postgres.ts'
import type { NewSchedule } from './schedule-writer.ts'

// As schedule-writer.ts: re-applying the same schedule keeps its rhythm; a changed schedule starts over.
const UPSERT = `INSERT INTO runtime.schedules AS s (key, event_type, bot, resource, description, payload, schedule, next_run_at, owner, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (key) DO UPDATE SET description = EXCLUDED.description, payload = EXCLUDED.payload, owner = EXCLUDED.owner,
    next_run_at = CASE WHEN s.schedule = EXCLUDED.schedule THEN s.next_run_at ELSE EXCLUDED.next_run_at END,
    schedule = EXCLUDED.schedule`

/** Adds a recurring schedule or updates the one of the same key, on the caller's transaction. */
export async function upsertPostgresSchedule(db: Queryable, s: NewSchedule, now = Date.now()): Promise<void> {
  await db.query(UPSERT, [
    s.key,
    s.eventType,
    s.bot ?? null,
    s.resource ?? null,
    s.description ?? null,
    s.payload === undefined ? null : JSON.stringify(s.payload),
    JSON.stringify(s.schedule),
    s.nextRunAt,
    s.owner ?? null,
    now,
  ])
}

/** Removes the schedule of this key; false when there was none. */
export async function removePostgresSchedule(db: Queryable, key: string): Promise<boolean> {
  return ((await db.query('DELETE FROM runtime.schedules WHERE key = $1', [key])).rowCount ?? 0) > 0
}
