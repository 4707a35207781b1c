import type { Queryable } from '../postgres/open-postgres.ts'
import type { NewJob } from './job-types.ts'
import { JOBS_CHANNEL } from './postgres-notify-jobs.ts'

// One statement: the rows, the idempotency check and the wake-up commit together (NOTIFY is delivered on commit),
// so a listener never wakes for a job it cannot see yet, and no job lands without waking one.
const INSERT = `WITH inserted AS (
    INSERT INTO runtime.jobs (event_type, description, bot, resource, payload, run_at, idempotency_key, schedule_id, owner, created_at)
    SELECT j.*, $10::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::text[])
      AS j (event_type, description, bot, resource, payload, run_at, idempotency_key, schedule_id, owner)
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING -- the partial unique index
    RETURNING run_at)
  SELECT count(*)::int AS n, CASE WHEN count(*) > 0 THEN pg_notify('${JOBS_CHANNEL}', min(run_at)::text) END AS notified FROM inserted`

/**
 * Inserts jobs in one statement (on a pool, or on a client inside the caller's transaction) and wakes the
 * listening workers. Returns how many rows landed: a repeated idempotency key is ignored, which is how
 * duplicate schedules are dropped.
 */
export async function insertPostgresJobs(db: Queryable, jobs: NewJob[], now = Date.now()): Promise<number> {
  if (!jobs.length) return 0
  const column = <T>(pick: (j: NewJob) => T) => jobs.map(pick)
  const { rows } = await db.query<{ n: number }>(INSERT, [
    column((j) => j.eventType),
    column((j) => j.description ?? null),
    column((j) => j.bot ?? null),
    column((j) => j.resource ?? null),
    column((j) => (j.payload === undefined ? null : JSON.stringify(j.payload))),
    column((j) => j.runAt),
    column((j) => j.idempotencyKey ?? null),
    column((j) => j.scheduleId ?? null),
    column((j) => j.owner ?? null),
    now,
  ])
  return rows[0]!.n
}
