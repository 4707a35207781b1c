import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { nativeBinding } from '../sea/native-binding.ts'
import { createPrivateFile } from '../fs/private-files.ts'

export type Db = Database.Database

/**
 * The one place connection pragmas are set, for plugins.db and runtime.db alike.
 * temp_store=MEMORY: a claim with `IN (SELECT ... LIMIT ?) RETURNING` ran at a
 * sixth of the speed with the default. journal_size_limit: the WAL otherwise
 * stays as large as the largest transaction ever written.
 */
export function openDatabase(
  file: string,
  options: { readonly?: boolean; synchronous?: 'FULL' | 'NORMAL'; busyTimeoutMs?: number; pageSize?: number } = {},
): Db {
  // Created 0600 by us rather than 0644 by SQLite: its -wal and -shm then get the same mode.
  // If that fails (a missing or read-only directory), SQLite's own open below says why.
  if (!options.readonly && file !== ':memory:' && file !== '')
    try {
      createPrivateFile(file)
    } catch {
      /* reported by the open */
    }
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    nativeBinding: nativeBinding(dirname(resolve(file))),
  })
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  db.pragma('temp_store = MEMORY')
  if (!options.readonly) {
    // Takes effect only on a new file, and only before WAL is switched on.
    if (options.pageSize) db.pragma(`page_size = ${options.pageSize}`)
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
    db.pragma('journal_size_limit = 67108864')
    db.pragma('foreign_keys = ON')
  }
  return db
}
