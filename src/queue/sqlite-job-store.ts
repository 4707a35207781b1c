import type { Db } from '../store/open-database.ts'
import { createJobQueue } from './create-job-queue.ts'
import { enqueueJobs } from './insert-jobs.ts'
import { createJobAdmin } from './job-admin.ts'
import type { JobStore } from './job-queue.ts'
import { createQueueMaintenance } from './queue-maintenance.ts'

/** The queue on runtime.db (the embedded default): the existing SQLite code behind the JobStore port. */
export function createSqliteJobStore(db: Db): JobStore {
  let lastDone: { get(id: number): unknown } | null = null
  return {
    enqueue: (jobs) => enqueueJobs(db, jobs),
    queue: (options) => createJobQueue(db, options),
    maintenance: (options) => createQueueMaintenance(db, options),
    admin: createJobAdmin(db),
    // Finished jobs are kept for jobs.retentionMs: the answer reaches back that far.
    async lastRunAt(jobId) {
      lastDone ??= db
        .prepare(`SELECT max(started_at) FROM jobs
          WHERE schedule_id = (SELECT schedule_id FROM jobs WHERE id = ?) AND status = 'done'`)
        .pluck()
      return (lastDone.get(jobId) as number | null) ?? null
    },
  }
}
