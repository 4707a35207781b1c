import { createJobInserter } from '../queue/insert-jobs.ts'
import type { NewJob } from '../queue/job-types.ts'
import type { Db } from '../store/open-database.ts'
import { createScheduleFirer } from './fire-schedules.ts'
import { listSchedules } from './list-schedules.ts'
import type { ScheduleStore } from './schedule-port.ts'
import { createScheduleWriter, type NewSchedule } from './schedule-writer.ts'
import { createRegistrationSync } from './sync-plugin-registrations.ts'

/** The schedules in runtime.db (the embedded default): the existing SQLite code behind the ScheduleStore port. */
export function createSqliteSchedules(db: Db): ScheduleStore {
  const fire = createScheduleFirer(db)
  const sync = createRegistrationSync(db)
  const insertJobs = createJobInserter(db)
  const writer = createScheduleWriter(db)
  const add = db.transaction((jobs: NewJob[], schedules: NewSchedule[]) => {
    insertJobs(jobs)
    for (const s of schedules) writer.upsert(s)
  })
  return {
    fire,
    add: async (jobs, schedules) => add.immediate(jobs, schedules),
    list: () => listSchedules(db),
    syncRegistrations: async (generation) => sync.immediate(generation),
  }
}
