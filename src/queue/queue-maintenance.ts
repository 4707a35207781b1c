import type { Db } from '../store/open-database.ts'
import type { QueueMaintenance, QueueMaintenanceOptions } from './job-queue.ts'

const PRUNE_BATCH = 1000
/** The default of jobs.heartbeatTimeoutMs (config-schema.ts), for callers that pass no config. */
const HEARTBEAT_TIMEOUT_MS = 4000

/**
 * A running job is stale when its lease ran out, or when the worker holding it
 * stopped beating its processes row (killed, crashed, frozen): far sooner than
 * the lease. Owners without a processes row (bare claimers) have the lease only.
 */
const STALE = `status = 'running' AND (lease_expires_at < @now
  OR lease_owner IN (SELECT id FROM processes WHERE heartbeat_at < @cutoff OR stopped_at IS NOT NULL))`

/** The scheduler's side of the queue: requeue jobs whose worker is gone, prune finished jobs past retention. */
export function createQueueMaintenance(db: Db, options: QueueMaintenanceOptions): QueueMaintenance {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS
  const q = {
    stale: db.prepare(`SELECT EXISTS (SELECT 1 FROM jobs WHERE ${STALE})`).pluck(),
    // A job whose handler had started used an attempt (counted when it started) and runs again elsewhere, or fails
    // when that was its last. A job the worker only held never started: it goes back as it was, no attempt used.
    requeue: db.prepare(`UPDATE jobs SET
        status = CASE WHEN started_at IS NOT NULL AND attempts >= @max THEN 'failed' ELSE 'pending' END,
        finished_at = CASE WHEN started_at IS NOT NULL AND attempts >= @max THEN @now END,
        last_error = CASE WHEN started_at IS NULL THEN last_error
          WHEN lease_expires_at < @now THEN 'lease expired during attempt ' || attempts || ': worker ' || coalesce(lease_owner, '?') || ' stopped renewing it (killed, crashed or hung)'
          ELSE 'worker ' || coalesce(lease_owner, '?') || ' stopped during attempt ' || attempts || ': no heartbeat for over ' || CAST(@timeout AS INTEGER) || ' ms (killed, crashed or frozen; jobs.heartbeatTimeoutMs)' END,
        run_at = min(run_at, @now), started_at = NULL, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
      WHERE ${STALE}
      RETURNING id, status`),
    prune: db.prepare(`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
      WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < @cutoff LIMIT ${PRUNE_BATCH})`),
  }
  const params = () => {
    const now = Date.now()
    return { now, cutoff: new Date(now - heartbeatTimeoutMs).toISOString() }
  }
  const requeue = db.transaction(
    () => q.requeue.all({ ...params(), max: options.maxAttempts, timeout: heartbeatTimeoutMs }) as Array<{ id: number; status: string }>,
  )
  return {
    /** Whether any job waits to be requeued: a read, cheap enough to ask several times a second. */
    async hasStale(): Promise<boolean> {
      return q.stale.get(params()) === 1
    },
    /** Jobs whose lease expired or whose worker stopped beating go back to pending (or to failed when out of attempts). */
    async requeueExpired(): Promise<Array<{ id: number; status: string }>> {
      return requeue.immediate()
    },
    /** Deletes up to one batch of finished jobs older than the retention; call again while it returns a full batch. */
    async prune(now = Date.now()): Promise<number> {
      return q.prune.run({ cutoff: now - options.retentionMs }).changes
    },
  }
}
