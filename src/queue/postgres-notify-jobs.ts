import type { Queryable } from '../postgres/open-postgres.ts'

/** The channel that wakes workers: its payload is the earliest run_at (ms) of the jobs that became claimable, or '' for "look now". */
export const JOBS_CHANNEL = 'app_jobs'

/**
 * Tells the listening workers that these jobs became claimable (requeued, released, retried). Call it inside the
 * transaction that changed them: NOTIFY is delivered on commit, so a listener never wakes before it can see them.
 */
export async function notifyJobs(db: Queryable, jobs: Array<{ run_at: number }>): Promise<void> {
  if (!jobs.length) return
  const earliest = jobs.reduce((min, j) => Math.min(min, j.run_at), Number.POSITIVE_INFINITY)
  await db.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, String(earliest)])
}
