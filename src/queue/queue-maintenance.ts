import type { Db } from '../store/open-database.ts'

const PRUNE_BATCH = 1000

/** The scheduler's side of the queue: requeue jobs whose lease expired, prune finished jobs past retention. */
export function createQueueMaintenance(db: Db, options: { maxAttempts: number; retentionMs: number }) {
  const q = {
    // A lease that ran out means the worker died or hung: the attempt counts, the job runs again elsewhere.
    requeue: db.prepare(`UPDATE jobs SET
        status = CASE WHEN attempts >= @max THEN 'failed' ELSE 'pending' END,
        finished_at = CASE WHEN attempts >= @max THEN @now END,
        last_error = 'lease expired during attempt ' || attempts || ': worker ' || coalesce(lease_owner, '?') || ' stopped renewing it (killed, crashed or hung)',
        run_at = @now, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
      WHERE status = 'running' AND lease_expires_at < @now
      RETURNING id, status`),
    prune: db.prepare(`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
      WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < @cutoff LIMIT ${PRUNE_BATCH})`),
  }
  const requeue = db.transaction(() => q.requeue.all({ max: options.maxAttempts, now: Date.now() }) as Array<{ id: number; status: string }>)
  return {
    /** Jobs whose lease expired go back to pending (or to failed when out of attempts). */
    async requeueExpired(): Promise<Array<{ id: number; status: string }>> {
      return requeue.immediate()
    },
    /** Deletes up to one batch of finished jobs older than the retention; call again while it returns a full batch. */
    async prune(now = Date.now()): Promise<number> {
      return q.prune.run({ cutoff: now - options.retentionMs }).changes
    },
  }
}
