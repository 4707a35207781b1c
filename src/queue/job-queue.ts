// The queue's port: what the worker, the scheduler and operators do with jobs, whatever holds them. The SQLite
// adapters (create-job-queue.ts, insert-jobs.ts, queue-maintenance.ts, job-admin.ts) and the PostgreSQL ones
// (postgres-*.ts) both give exactly this, and test/contract/queue.unit.test.ts runs one suite on both.
import type { ClaimedJob, JobRecord, JobResult, JobStart, JobStatus, NewJob } from './job-types.ts'

export interface JobQueueOptions {
  /** Who holds the leases: the worker's process id in the registry. */
  owner: string
  leaseMs: number
  maxAttempts: number
  /** What "now" is for claims and retries (default the wall clock): the test host runs jobs as of a later time. */
  clock?: () => number
}

/**
 * A worker's side. `types` is the JSON array of event types the worker runs (bot runs are claimable by every
 * worker). Delivery is at least once; a claim token and a lease keep two workers from running one job at a time;
 * attempts count handler starts, not claims.
 */
export interface JobQueue {
  /** Claims up to `limit` due jobs in one transaction, all under one fresh claim token. */
  claim(limit: number, types: string): Promise<ClaimedJob[]>
  /** Handlers started on these jobs: each run counts as an attempt now. Returns the ids whose claim is gone (their handler must stop). */
  markStarted(starts: JobStart[]): Promise<number[]>
  /**
   * Beats this worker's process row (the lease owner) and renews its leases in one commit; returns the time
   * written, or null when the row is gone or marked stopped (the worker must then not start jobs it holds).
   */
  confirm(): Promise<number | null>
  /** Records results in one transaction. Returns the ids whose claim was lost (lease expired, job cancelled): their result is dropped. */
  complete(results: JobResult[]): Promise<number[]>
  /** The run_at of the next job this worker could claim, or null. */
  nextDueAt(types: string): Promise<number | null>
  /** Extends the lease of every job this worker holds; long handlers keep their claim. */
  renew(): Promise<number>
  /** Shutdown: every job this worker still holds goes back to pending, at once, without using an attempt. */
  releaseAll(): Promise<number>
  /** Due events of types no plugin here registers become `orphaned` (kept; any worker with the type still claims them). */
  markOrphaned(types: string): Promise<Array<{ eventType: string; owner: string | null }>>
}

export interface QueueMaintenanceOptions {
  maxAttempts: number
  retentionMs: number
  /** A worker whose processes row has not beaten for this long is gone (default 4000, jobs.heartbeatTimeoutMs). */
  heartbeatTimeoutMs?: number
}

/** The scheduler's side: requeue jobs whose worker is gone, prune finished jobs past retention. */
export interface QueueMaintenance {
  /** Whether any job waits to be requeued: a read, cheap enough to ask several times a second. */
  hasStale(): Promise<boolean>
  /** Jobs whose lease expired or whose worker stopped beating go back to pending (or to failed when out of attempts). */
  requeueExpired(): Promise<Array<{ id: number; status: string }>>
  /** Deletes up to one batch of finished jobs older than the retention; call again while it returns a full batch. */
  prune(now?: number): Promise<number>
}

export interface JobFilter {
  status?: JobStatus
  eventType?: string
  bot?: string
  /** The plugin that scheduled it (or 'cli', 'scheduler'). */
  owner?: string
  limit?: number
}

/** What operators do with jobs: list, show, retry, cancel (`app events`, the JSON API, DbObjects.events). */
export interface JobAdmin {
  list(filter?: JobFilter): Promise<JobRecord[]>
  get(id: number): Promise<JobRecord>
  counts(): Promise<Record<JobStatus, number>>
  /** Runs a finished, cancelled or orphaned job again now, with a fresh set of attempts. */
  retry(id: number): Promise<JobRecord>
  /**
   * Cancels a pending, orphaned or running job. A running handler finishes, but its result is dropped and it is not retried.
   * `schedule`: also delete the recurring schedule that fired it, so it fires no more.
   */
  cancel(id: number, options?: { schedule?: boolean }): Promise<{ job: JobRecord; wasRunning: boolean; scheduleRemoved: boolean }>
  /** The event types and owners the kept jobs have, sorted, at most `limit` (default 200) each: the events page's filter choices. */
  facets(limit?: number): Promise<{ eventTypes: string[]; owners: string[] }>
}

/** One backend's queue: enqueue, and the three sides above on its connection. */
export interface JobStore {
  /** Inserts jobs in one transaction; returns how many landed (a repeated idempotency key is ignored). */
  enqueue(jobs: NewJob[]): Promise<number>
  queue(options: JobQueueOptions): JobQueue
  maintenance(options: QueueMaintenanceOptions): QueueMaintenance
  readonly admin: JobAdmin
  /** When the last successful run of this job's schedule started (ms), or null: a plugin job's ctx.lastRunAt. */
  lastRunAt(jobId: number): Promise<number | null>
}
