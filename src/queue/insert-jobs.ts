import type { Db } from '../store/open-database.ts'
import type { NewJob } from './job-types.ts'

/**
 * Prepared inserts for callers that already hold a transaction (a tracker
 * block, a scheduler tick). Returns how many rows landed: a repeated
 * idempotency key is ignored, which is how duplicate schedules are dropped.
 */
export function createJobInserter(db: Db) {
  const insert =
    db.prepare(`INSERT INTO jobs (event_type, description, bot, resource, payload, run_at, idempotency_key, schedule_id, owner, created_at)
    VALUES (@eventType, @description, @bot, @resource, @payload, @runAt, @idempotencyKey, @scheduleId, @owner, @now)
    ON CONFLICT (idempotency_key) DO NOTHING`)
  return (jobs: NewJob[], now = Date.now()): number => {
    let inserted = 0
    for (const j of jobs) {
      inserted += insert.run({
        eventType: j.eventType,
        description: j.description ?? null,
        bot: j.bot ?? null,
        resource: j.resource ?? null,
        payload: j.payload === undefined ? null : JSON.stringify(j.payload),
        runAt: j.runAt,
        idempotencyKey: j.idempotencyKey ?? null,
        scheduleId: j.scheduleId ?? null,
        owner: j.owner ?? null,
        now,
      }).changes
    }
    return inserted
  }
}

/** Inserts jobs in one transaction; the async boundary a PostgreSQL queue would also offer. */
export async function enqueueJobs(db: Db, jobs: NewJob[]): Promise<number> {
  const insert = createJobInserter(db)
  return db.transaction(() => insert(jobs)).immediate()
}
