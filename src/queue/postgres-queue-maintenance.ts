import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { QueueMaintenance, QueueMaintenanceOptions } from './job-queue.ts'
import { notifyJobs } from './postgres-notify-jobs.ts'

const PRUNE_BATCH = 1000
/** The default of jobs.heartbeatTimeoutMs (config-schema.ts), for callers that pass no config. */
const HEARTBEAT_TIMEOUT_MS = 4000

/**
 * A running job is stale when its lease ran out ($1 is now), or when the worker holding it stopped beating its
 * processes row ($2 the cutoff, an ISO time as heartbeat_at holds): far sooner than the lease. Owners without a
 * processes row (bare claimers) have the lease only.
 */
const STALE = `status = 'running' AND (lease_expires_at < $1
  OR lease_owner IN (SELECT id FROM runtime.processes WHERE heartbeat_at < $2 OR stopped_at IS NOT NULL))`

const HAS_STALE = `SELECT EXISTS (SELECT 1 FROM runtime.jobs WHERE ${STALE}) AS stale`

// A job whose handler had started used an attempt (counted when it started) and runs again elsewhere, or fails
// when that was its last. A job the worker only held never started: it goes back as it was, no attempt used.
// SKIP LOCKED: a row locked is having its result written (or being cancelled); waiting on it, in another order
// than that transaction, could deadlock. If it is still stale afterwards, the next pass (100 ms) takes it.
const REQUEUE = `UPDATE runtime.jobs SET
    status = CASE WHEN started_at IS NOT NULL AND attempts >= $3 THEN 'failed' ELSE 'pending' END,
    finished_at = CASE WHEN started_at IS NOT NULL AND attempts >= $3 THEN $1::bigint END,
    last_error = CASE WHEN started_at IS NULL THEN last_error
      WHEN lease_expires_at < $1 THEN 'lease expired during attempt ' || attempts || ': worker ' || coalesce(lease_owner, '?') || ' stopped renewing it (killed, crashed or hung)'
      ELSE 'worker ' || coalesce(lease_owner, '?') || ' stopped during attempt ' || attempts || ': no heartbeat for over ' || $4::int || ' ms (killed, crashed or frozen; jobs.heartbeatTimeoutMs)' END,
    run_at = least(run_at, $1), started_at = NULL, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
  WHERE id IN (SELECT id FROM runtime.jobs WHERE ${STALE} FOR UPDATE SKIP LOCKED)
  RETURNING id, status, run_at`

const PRUNE = `DELETE FROM runtime.jobs WHERE id IN (SELECT id FROM runtime.jobs
  WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < $1 LIMIT ${PRUNE_BATCH})`

/** The scheduler's side of the queue on PostgreSQL: requeue jobs whose worker is gone (waking the workers), prune finished jobs. */
export function createPostgresQueueMaintenance(pool: PgPool, options: QueueMaintenanceOptions): QueueMaintenance {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS
  const params = () => {
    const now = Date.now()
    return [now, new Date(now - heartbeatTimeoutMs).toISOString()]
  }
  return {
    async hasStale() {
      return (await pool.query<{ stale: boolean }>(HAS_STALE, params())).rows[0]!.stale
    },
    async requeueExpired() {
      return withTransaction(pool, async (c) => {
        const { rows } = await c.query<{ id: number; status: string; run_at: number }>(REQUEUE, [
          ...params(),
          options.maxAttempts,
          heartbeatTimeoutMs,
        ])
        await notifyJobs(
          c,
          rows.filter((r) => r.status === 'pending'),
        )
        return rows.map((r) => ({ id: r.id, status: r.status }))
      })
    },
    async prune(now = Date.now()) {
      return (await pool.query(PRUNE, [now - options.retentionMs])).rowCount ?? 0
    },
  }
}
