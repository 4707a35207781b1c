import { type PgPool, type Queryable, withTransaction } from '../postgres/open-postgres.ts'
import { backoffMs } from './backoff.ts'
import type { JobResult } from './job-types.ts'
import { notifyJobs } from './postgres-notify-jobs.ts'

// Each statement takes one kind of result as parallel arrays (unnest) and returns the ids it changed: a result
// whose claim token no longer matches a running job (lease expired and requeued, cancelled) changes nothing.
// A result means the handler ran: a start not yet marked counts now.
const DONE = `UPDATE runtime.jobs j SET status = 'done', finished_at = $1, lease_owner = NULL, lease_expires_at = NULL,
    attempts = j.attempts + (j.started_at IS NULL)::int, started_at = coalesce(j.started_at, $1)
  FROM unnest($2::bigint[], $3::text[]) AS r (id, token)
  WHERE j.id = r.id AND j.claim_token = r.token AND j.status = 'running' RETURNING j.id`

const RETRY = `UPDATE runtime.jobs j SET status = 'pending', run_at = r.run_at, last_error = r.error,
    lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL, attempts = r.attempt, started_at = coalesce(j.started_at, $1)
  FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::bigint[]) AS r (id, token, attempt, error, run_at)
  WHERE j.id = r.id AND j.claim_token = r.token AND j.status = 'running' RETURNING j.id, j.run_at`

const FAIL = `UPDATE runtime.jobs j SET status = 'failed', finished_at = $1, last_error = r.error,
    lease_owner = NULL, lease_expires_at = NULL, attempts = r.attempt, started_at = coalesce(j.started_at, $1)
  FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[]) AS r (id, token, attempt, error)
  WHERE j.id = r.id AND j.claim_token = r.token AND j.status = 'running' RETURNING j.id`

// A release is not an attempt: the handler was stopped by a shutdown (or never started), not by its own failure.
const RELEASE = `UPDATE runtime.jobs j SET status = 'pending', attempts = j.attempts - (j.started_at IS NOT NULL)::int, started_at = NULL,
    lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
  FROM unnest($1::bigint[], $2::text[]) AS r (id, token)
  WHERE j.id = r.id AND j.claim_token = r.token AND j.status = 'running' RETURNING j.id, j.run_at`

/**
 * Records a batch of results in one transaction (a batch of successes, the usual case, is one statement).
 * Retries wait backoffMs(attempt); a permanent failure or the last attempt fails the job. Returns the ids
 * whose claim was lost: their result is dropped.
 */
export async function completeJobs(pool: PgPool, results: JobResult[], options: { now: number; maxAttempts: number }): Promise<number[]> {
  const { now, maxAttempts } = options
  const done = results.filter((r) => r.outcome === 'done')
  const released = results.filter((r) => r.outcome === 'released')
  const failed = results.filter((r) => r.outcome === 'failed')
  const retried = failed.filter((r) => r.attempt < maxAttempts && !r.permanent)
  const final = failed.filter((r) => !(r.attempt < maxAttempts && !r.permanent))
  const ids = (rs: JobResult[]) => [rs.map((r) => r.id), rs.map((r) => r.token)]
  const attempts = (rs: JobResult[]) => [rs.map((r) => r.attempt), rs.map((r) => r.error ?? 'failed')]

  const record = async (db: Queryable): Promise<Set<number>> => {
    const changed = new Set<number>()
    const run = async (sql: string, rs: JobResult[], params: () => unknown[]) => {
      if (!rs.length) return []
      const { rows } = await db.query<{ id: number; run_at: number }>(sql, params())
      for (const r of rows) changed.add(r.id)
      return rows
    }
    await run(DONE, done, () => [now, ...ids(done)])
    const back = await run(RELEASE, released, () => ids(released))
    const later = await run(RETRY, retried, () => [
      now,
      ...ids(retried),
      ...attempts(retried),
      retried.map((r) => now + backoffMs(r.attempt)),
    ])
    await run(FAIL, final, () => [now, ...ids(final), ...attempts(final)])
    await notifyJobs(db, [...back, ...later])
    return changed
  }
  // All successes: one statement commits on its own, no BEGIN/COMMIT round trips.
  const changed = done.length === results.length ? await record(pool) : await withTransaction(pool, record)
  return results.filter((r) => !changed.has(r.id)).map((r) => r.id)
}
