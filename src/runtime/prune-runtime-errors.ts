import type { Db } from '../store/open-database.ts'

/** Deletes run-time error rows not seen since `before` (the scheduler does, with the job retention). */
export async function pruneRuntimeErrors(db: Db, before: Date): Promise<number> {
  return db.prepare('DELETE FROM runtime_errors WHERE last_seen < ?').run(before.toISOString()).changes
}
