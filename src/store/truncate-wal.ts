import type { Db } from './open-database.ts'

/**
 * Checkpoints the WAL into the database and truncates it to zero bytes, so
 * the frames of a failed (rolled back) or very large transaction give their
 * disk space back: journal_size_limit only trims the WAL down to 64 MiB, and
 * only after a later commit. Best effort, and bounded: a reader still on an
 * old snapshot makes it give up after waitMs instead of blocking the caller
 * (the next call, or the last connection's close, finishes the job).
 * Returns whether the WAL was truncated.
 */
export function truncateWal(db: Db, waitMs = 1000): boolean {
  if (!db.open || db.readonly || db.inTransaction) return false
  let before: number | null = null
  try {
    before = db.pragma('busy_timeout', { simple: true }) as number
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`)
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>
    return result?.busy === 0
  } catch {
    return false // SQLITE_FULL while copying pages back, or busy: the WAL stays as it was, still valid
  } finally {
    if (before !== null)
      try {
        db.pragma(`busy_timeout = ${before}`)
      } catch {
        /* closed meanwhile */
      }
  }
}

/** Truncates the WAL (briefly), then closes the connection, whatever the checkpoint did. */
export function closeDatabase(db: Db, waitMs = 100): void {
  try {
    truncateWal(db, waitMs)
  } finally {
    if (db.open) db.close()
  }
}
