import { randomUUID } from 'node:crypto'
import type { Db } from '../store/open-database.ts'
import { backoffMs } from './backoff.ts'
import type { JobQueue, JobQueueOptions } from './job-queue.ts'
import { BOT_RUN, type ClaimedJob, type ClaimRow, type JobResult, type JobStart, toClaimedJob } from './job-types.ts'

export type { JobQueue, JobQueueOptions } from './job-queue.ts'

/** What a worker does with the queue: claim due jobs of the types it has, complete them, keep their leases. */
export function createJobQueue(db: Db, options: JobQueueOptions): JobQueue {
  const { owner, leaseMs, maxAttempts } = options
  const clock = options.clock ?? Date.now
  // Bot runs are claimable by every worker; events only by one that registers their type.
  const claimable = `status IN ('pending', 'orphaned') AND run_at <= @now AND (event_type = '${BOT_RUN}' OR event_type IN (SELECT value FROM json_each(@types)))`
  // Attempts count handler starts, not claims: started_at is NULL from the claim until a handler starts on it
  // (markStarted, or the result of a run too short to be seen starting), so a job a dead worker only held
  // goes back without having used an attempt.
  const q = {
    claim: db.prepare(`UPDATE jobs SET status = 'running', lease_owner = @owner, claim_token = @token,
        lease_expires_at = @expires, started_at = NULL
      WHERE id IN (SELECT id FROM jobs WHERE ${claimable} ORDER BY run_at LIMIT @limit)
      RETURNING id, event_type, description, bot, resource, payload, run_at, attempts, owner`),
    started: db.prepare(`UPDATE jobs SET attempts = @attempt, started_at = @at
      WHERE id = @id AND claim_token = @token AND status = 'running' AND started_at IS NULL`),
    heldStarted: db.prepare(`SELECT 1 FROM jobs WHERE id = @id AND claim_token = @token AND status = 'running'`).pluck(),
    nextDue: db
      .prepare(`SELECT run_at FROM jobs WHERE status IN ('pending', 'orphaned')
      AND (event_type = '${BOT_RUN}' OR event_type IN (SELECT value FROM json_each(@types))) ORDER BY run_at LIMIT 1`)
      .pluck(),
    // One statement per claim batch: the jobs of one claim share its token.
    // A result means the handler ran: a start not yet marked counts now.
    done: db
      .prepare(`UPDATE jobs SET status = 'done', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL,
        attempts = attempts + (started_at IS NULL), started_at = coalesce(started_at, @now)
      WHERE id IN (SELECT value FROM json_each(@ids)) AND claim_token = @token AND status = 'running' RETURNING id`)
      .pluck(),
    retry:
      db.prepare(`UPDATE jobs SET status = 'pending', run_at = @runAt, last_error = @error, lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL,
        attempts = @attempt, started_at = coalesce(started_at, @now)
      WHERE id = @id AND claim_token = @token AND status = 'running'`),
    fail: db.prepare(`UPDATE jobs SET status = 'failed', finished_at = @now, last_error = @error, lease_owner = NULL, lease_expires_at = NULL,
        attempts = @attempt, started_at = coalesce(started_at, @now)
      WHERE id = @id AND claim_token = @token AND status = 'running'`),
    // A release is not an attempt: the handler was stopped by a shutdown (or never started), not by its own failure.
    release: db.prepare(`UPDATE jobs SET status = 'pending', attempts = attempts - (started_at IS NOT NULL), started_at = NULL,
        lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
      WHERE id = @id AND claim_token = @token AND status = 'running'`),
    releaseAll: db.prepare(`UPDATE jobs SET status = 'pending', attempts = attempts - (started_at IS NOT NULL), started_at = NULL,
        lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
      WHERE status = 'running' AND lease_owner = @owner`),
    renew: db.prepare(`UPDATE jobs SET lease_expires_at = @expires WHERE status = 'running' AND lease_owner = @owner`),
    beat: db.prepare(`UPDATE processes SET heartbeat_at = @at WHERE id = @owner AND stopped_at IS NULL`),
    orphan: db.prepare(`UPDATE jobs SET status = 'orphaned'
      WHERE status = 'pending' AND run_at <= @now AND event_type != '${BOT_RUN}' AND event_type NOT IN (SELECT value FROM json_each(@types))
      RETURNING event_type, owner`),
  }

  const claim = db.transaction((limit: number, types: string): ClaimedJob[] => {
    const now = clock()
    const token = randomUUID()
    const rows = q.claim.all({ owner, token, expires: now + leaseMs, now, types, limit }) as ClaimRow[]
    return rows.map((r) => toClaimedJob(r, token))
  })

  /** Ids whose claim is gone (requeued to another worker, cancelled): their handler must stop. */
  const markStarted = db.transaction((starts: JobStart[]): number[] => {
    const lost: number[] = []
    for (const s of starts) {
      if (q.started.run(s).changes === 0 && !q.heldStarted.get(s)) lost.push(s.id)
    }
    return lost
  })

  // Heartbeat and lease renewal in one commit: once it lands, neither the heartbeat nor the lease path can requeue
  // this worker's jobs for a while, which is what lets the worker keep starting them.
  const confirm = db.transaction(() => {
    const at = Date.now()
    const alive = q.beat.run({ owner, at: new Date(at).toISOString() }).changes > 0
    q.renew.run({ owner, expires: at + leaseMs })
    return alive ? at : null
  })

  const complete = db.transaction((results: JobResult[]): number[] => {
    const now = clock()
    const lost: number[] = []
    const done = new Map<string, number[]>()
    for (const r of results) {
      if (r.outcome !== 'done') continue
      const ids = done.get(r.token)
      if (ids) ids.push(r.id)
      else done.set(r.token, [r.id])
    }
    for (const [token, ids] of done) {
      const updated = new Set(q.done.all({ ids: JSON.stringify(ids), token, now }) as number[])
      if (updated.size < ids.length) lost.push(...ids.filter((id) => !updated.has(id)))
    }
    for (const r of results) {
      if (r.outcome === 'done') continue
      const key = { id: r.id, token: r.token }
      let changes: number
      if (r.outcome === 'released') changes = q.release.run(key).changes
      else if (r.attempt < maxAttempts && !r.permanent)
        changes = q.retry.run({ ...key, now, attempt: r.attempt, runAt: now + backoffMs(r.attempt), error: r.error ?? 'failed' }).changes
      else changes = q.fail.run({ ...key, now, attempt: r.attempt, error: r.error ?? 'failed' }).changes
      if (changes === 0) lost.push(r.id)
    }
    return lost
  })

  const markOrphaned = db.transaction(
    (types: string) => q.orphan.all({ now: Date.now(), types }) as Array<{ event_type: string; owner: string | null }>,
  )

  return {
    /** Claims up to `limit` due jobs in one BEGIN IMMEDIATE transaction; `types` is the JSON array of event types this worker runs. */
    async claim(limit: number, types: string): Promise<ClaimedJob[]> {
      return claim.immediate(limit, types)
    },
    /** Handlers started on these jobs: each run counts as an attempt now. Returns the ids whose claim is gone (their handler must stop). */
    async markStarted(starts: JobStart[]): Promise<number[]> {
      return starts.length ? markStarted.immediate(starts) : []
    },
    /**
     * Beats this worker's process row (the lease owner) and renews its leases in one commit; returns the time
     * written, or null when the row is gone or marked stopped (the worker must then not start jobs it holds).
     */
    async confirm(): Promise<number | null> {
      return confirm.immediate()
    },
    /** Records results in one transaction. Returns the ids whose claim was lost (lease expired, job cancelled): their result is dropped. */
    async complete(results: JobResult[]): Promise<number[]> {
      return results.length ? complete.immediate(results) : []
    },
    /** The run_at of the next job this worker could claim, or null. */
    async nextDueAt(types: string): Promise<number | null> {
      return (q.nextDue.get({ types }) as number | undefined) ?? null
    },
    /** Extends the lease of every job this worker holds; long handlers keep their claim. */
    async renew(): Promise<number> {
      return q.renew.run({ owner, expires: Date.now() + leaseMs }).changes
    },
    /** Shutdown: every job this worker still holds goes back to pending, at once, for another worker. */
    async releaseAll(): Promise<number> {
      return q.releaseAll.run({ owner }).changes
    },
    /** Due events of types no plugin here registers become `orphaned` (kept; any worker with the type still claims them). */
    async markOrphaned(types: string): Promise<Array<{ eventType: string; owner: string | null }>> {
      return markOrphaned.immediate(types).map((r) => ({ eventType: r.event_type, owner: r.owner }))
    },
  }
}
