// The recurring schedules' port: the scheduler fires them and makes plugin jobs follow the generation, plugins
// schedule bot events (HostServices.scheduleBotEvents), operators list them. The SQLite adapter
// (sqlite-schedules.ts, over fire-schedules.ts, sync-plugin-registrations.ts, list-schedules.ts and
// schedule-writer.ts) and the PostgreSQL one (postgres-schedules.ts) both give exactly this, and
// test/contract/schedules.unit.test.ts runs one suite on both.
import type { NewJob } from '../queue/job-types.ts'
import type { GenerationRegistrations, RegistrationSyncResult } from './registration-plan.ts'
import type { ScheduleListing } from './schedule-listing.ts'
import type { NewSchedule } from './schedule-writer.ts'

export interface ScheduleStore {
  /**
   * The scheduler's tick: every active schedule due at `now` enqueues one job for its due time and moves to its
   * next time, in one transaction; resolves with the number of jobs enqueued. A due time fires once however
   * often, and by however many schedulers at once, this runs. A bot's schedule whose bot is gone or disabled goes.
   */
  fire(now?: number): Promise<number>
  /** Once-jobs and recurring schedules in one transaction (scheduleBotEvents): a repeated job key is ignored, a repeated schedule keeps its rhythm. */
  add(jobs: NewJob[], schedules: NewSchedule[]): Promise<void>
  /** Every schedule: plugin jobs first (by plugin and id), then bot schedules and scheduled bot events. */
  list(): Promise<ScheduleListing[]>
  /** Plugin jobs and hook subscriptions follow a generation, in one transaction (see planRegistrations). */
  syncRegistrations(generation: GenerationRegistrations | null): Promise<RegistrationSyncResult>
}
