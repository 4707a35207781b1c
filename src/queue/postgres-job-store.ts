import type { PgPool } from '../postgres/open-postgres.ts'
import type { JobStore } from './job-queue.ts'
import { insertPostgresJobs } from './postgres-insert-jobs.ts'
import { createPostgresJobAdmin } from './postgres-job-admin.ts'
import { createPostgresJobQueue } from './postgres-job-queue.ts'
import { createPostgresQueueMaintenance } from './postgres-queue-maintenance.ts'

/** The queue on PostgreSQL (schema runtime), on the pool of the app role that uses it (worker, scheduler or web). */
export function createPostgresJobStore(pool: PgPool): JobStore {
  return {
    enqueue: (jobs) => insertPostgresJobs(pool, jobs),
    queue: (options) => createPostgresJobQueue(pool, options),
    maintenance: (options) => createPostgresQueueMaintenance(pool, options),
    admin: createPostgresJobAdmin(pool),
    async lastRunAt(jobId) {
      const { rows } = await pool.query<{ at: number | null }>(
        `SELECT max(started_at) AS at FROM runtime.jobs
          WHERE schedule_id = (SELECT schedule_id FROM runtime.jobs WHERE id = $1) AND status = 'done'`,
        [jobId],
      )
      return rows[0]?.at ?? null
    },
  }
}
