import { AppError, ExitCode } from '../errors/app-error.ts'
import type { Db } from './open-database.ts'
import { sqliteCode } from './database-identity.ts'

export const RESTORE_STORE_FIX =
  'Stop every role (scheduler, worker, web), restore plugins.db from the last `app backup` copy, then start them again: see "Backup and restore" in packaging/README.md. `app doctor` runs the same check.'

/** Files this process has checked: `--role=all` opens the store three times and needs one check. */
const checked = new Set<string>()

/**
 * `PRAGMA quick_check` when a role opens plugins.db: a damaged page is found
 * at start, with the fix, instead of as an odd failure mid-publish or
 * mid-load. quick_check skips the index-content comparison of
 * integrity_check, which keeps it to one pass over the file.
 */
export function assertStoreIntact(db: Db, file: string): void {
  if (checked.has(file)) return
  let problems: string[]
  try {
    problems = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== 'ok')
  } catch (cause) {
    if (sqliteCode(cause) !== 'SQLITE_CORRUPT' && sqliteCode(cause) !== 'SQLITE_NOTADB') throw cause
    problems = [(cause as Error).message]
  }
  if (!problems.length) {
    checked.add(file)
    return
  }
  throw damaged(
    file,
    `PRAGMA quick_check found ${problems.length === 5 ? 'at least 5' : problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`,
  )
}

/** The store cannot be read as a whole: it is ours, but damaged. */
export function damaged(file: string, found: string, cause?: unknown): AppError {
  return new AppError('STORE_DAMAGED', `plugin store ${file} is damaged (${found}). It was left as it is. ${RESTORE_STORE_FIX}`, {
    exitCode: ExitCode.store,
    cause,
  })
}
