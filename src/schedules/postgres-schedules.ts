import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { insertPostgresJobs } from '../queue/postgres-insert-jobs.ts'
import { createPostgresScheduleFirer } from './postgres-fire-schedules.ts'
import { createPostgresRegistrationSync } from './postgres-registration-sync.ts'
import { upsertPostgresSchedule } from './postgres-schedule-writer.ts'
import type { ScheduleStore } from './schedule-port.ts'
import { type ListedRow, LISTED_COLUMNS, toScheduleListings } from './schedule-listing.ts'

/**
 * The schedules on PostgreSQL (runtime.schedules), on the pool of the app role that uses them: the scheduler
 * fires and syncs, the worker adds (plugins' scheduleBotEvents), the web role lists.
 */
export function createPostgresSchedules(pool: PgPool): ScheduleStore {
  return {
    fire: createPostgresScheduleFirer(pool),
    add: (jobs, schedules) =>
      withTransaction(pool, async (c) => {
        const now = Date.now()
        await insertPostgresJobs(c, jobs, now)
        for (const s of schedules) await upsertPostgresSchedule(c, s, now)
      }),
    list: async () => toScheduleListings((await pool.query<ListedRow>(`SELECT ${LISTED_COLUMNS} FROM runtime.schedules`)).rows),
    syncRegistrations: createPostgresRegistrationSync(pool),
  }
}
