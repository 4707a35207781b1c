import type { Db } from '../store/open-database.ts'
import { type ListedRow, LISTED_COLUMNS, type ScheduleListing, toScheduleListings } from './schedule-listing.ts'

export { describeSchedule, type ScheduleListing } from './schedule-listing.ts'

/** Every recurring schedule in runtime.db: plugin jobs first (by plugin and id), then bot schedules and scheduled bot events. */
export async function listSchedules(db: Db): Promise<ScheduleListing[]> {
  return toScheduleListings(db.prepare(`SELECT ${LISTED_COLUMNS} FROM schedules`).all() as ListedRow[])
}
