import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { fileSize, foreignContent, isBlank, readIdentity, sqliteCode } from './database-identity.ts'
import { openDatabase, type Db } from './open-database.ts'
import { makePrivateDir } from '../fs/private-files.ts'
import { assertStoreIntact, damaged, RESTORE_STORE_FIX } from './store-integrity.ts'
import { STORE_APPLICATION_ID, storeMigrations } from './store-migrations.ts'
import { createStoreReader, type StoreReader } from './store-reader.ts'
import { createStoreWriter, type StoreWriter } from './store-writer.ts'

export const STORE_FILE = 'plugins.db'

export interface Store extends StoreReader {
  readonly file: string
  readonly readonly: boolean
  /** The SQLite connection behind this store (diagnostics, backup, tests); a PostgreSQL store has none. */
  readonly sqlite: Db
  close(): Promise<void>
}

export interface WritableStore extends Store, StoreWriter {}

/** `check`: run quick_check on open (roles do; see assertStoreIntact). */
export interface OpenStoreOptions {
  check?: boolean
}

/**
 * Opens data/plugins.db for the scheduler: creates it, migrates it forward,
 * stamps it. A file that is not ours, or is newer than this build, is refused
 * (exit 4) and left byte-identical; so is a damaged one when `check` is set.
 */
export async function openWritableStore(dataDir: string, options: OpenStoreOptions = {}): Promise<WritableStore> {
  makePrivateDir(dataDir)
  const file = join(dataDir, STORE_FILE)
  // Whose file it is gets decided on a read-only connection: the read-write open switches the file to WAL,
  // which rewrites the header of a file that is not ours. Zero bytes (or no file) is a new store.
  if (fileSize(file)) {
    const probe = openChecked(file, true)
    try {
      if (options.check) assertStoreIntact(probe, file)
    } finally {
      probe.close()
    }
  }
  const db = openChecked(file, false)
  migrate(db)
  return {
    ...createStoreReader(db),
    ...createStoreWriter(db),
    file,
    readonly: false,
    sqlite: db,
    close: async () => {
      db.close()
    },
  }
}

/**
 * Opens plugins.db read-only, as worker and web do: SQLite itself refuses
 * writes (SQLITE_READONLY). Waits up to waitMs for the scheduler to create it.
 */
export async function openReadonlyStore(
  dataDir: string,
  options: OpenStoreOptions & { waitMs?: number; onWait?: (file: string) => void } = {},
): Promise<Store> {
  const file = join(dataDir, STORE_FILE)
  const deadline = Date.now() + (options.waitMs ?? 0)
  let told = false
  for (;;) {
    const size = fileSize(file)
    if (size) {
      const db = openChecked(file, true)
      const version = db.pragma('user_version', { simple: true }) as number
      if (version > 0) {
        try {
          if (options.check) assertStoreIntact(db, file)
        } catch (error) {
          db.close()
          throw error
        }
        return {
          ...createStoreReader(db),
          file,
          readonly: true,
          sqlite: db,
          close: async () => {
            db.close()
          },
        }
      }
      db.close() // created but not migrated yet: the scheduler is mid-setup
    }
    // Zero bytes: the scheduler has created the file and not yet written it, or it was truncated.
    if (Date.now() >= deadline) throw notThere(file, size, options.waitMs ?? 0)
    if (!told) options.onWait?.(file)
    told = true
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())))
  }
}

/** Missing, empty, or created but never migrated: each said as it is, with the fix. */
function notThere(file: string, size: number | null, waitedMs: number): AppError {
  const create = 'Start the scheduler (app --role=scheduler) or run `app plugins sync` on this data directory'
  if (size === null) {
    return new AppError(
      'STORE_MISSING',
      `plugin store ${file} does not exist (waited ${waitedMs} ms). ${create} first, or point --data-dir at the scheduler's data directory.`,
      { exitCode: ExitCode.store },
    )
  }
  const what = size === 0 ? 'exists but is empty (0 bytes)' : 'exists but holds no plugin store yet (schema version 0)'
  return new AppError(
    'STORE_MISSING',
    `plugin store ${file} ${what}: no scheduler has initialized it (waited ${waitedMs} ms). ${create} to initialize it. If it held plugins before, it was truncated or replaced: ${RESTORE_STORE_FIX}`,
    { exitCode: ExitCode.store },
  )
}

function openChecked(file: string, readonly: boolean): Db {
  let db: Db | undefined
  try {
    // 8 KiB pages: a plugin file of 4 KiB fits in one page instead of spilling to an overflow page.
    db = openDatabase(file, { readonly, pageSize: 8192 })
    const id = readIdentity(db)
    if (id.applicationId !== STORE_APPLICATION_ID && !isBlank(id)) {
      throw new AppError(
        'STORE_FOREIGN',
        `${file} is not an app plugin store (application_id ${id.applicationId}, expected ${STORE_APPLICATION_ID}${foreignContent(id)}). It was left untouched. Move it away or choose another --data-dir.`,
        { exitCode: ExitCode.store },
      )
    }
    if (id.userVersion > storeMigrations.length) {
      throw new AppError(
        'STORE_TOO_NEW',
        `${file} has schema version ${id.userVersion}, newer than this build understands (${storeMigrations.length}). It was left untouched. Run a newer app, or restore a backup made by this version.`,
        { exitCode: ExitCode.store },
      )
    }
    return db
  } catch (cause) {
    db?.close()
    if (cause instanceof AppError) throw cause
    const code = sqliteCode(cause)
    if (code === 'SQLITE_NOTADB') {
      throw new AppError(
        'STORE_FOREIGN',
        `${file} is not an SQLite database (${code}). It was left untouched. Move it away or choose another --data-dir.`,
        { exitCode: ExitCode.store, cause },
      )
    }
    if (code === 'SQLITE_CORRUPT') throw damaged(file, `${code}: ${(cause as Error).message}`, cause)
    throw cause
  }
}

function migrate(db: Db): void {
  const from = db.pragma('user_version', { simple: true }) as number
  if (from === storeMigrations.length) return
  db.transaction(() => {
    for (let v = from; v < storeMigrations.length; v++) db.exec(storeMigrations[v]!)
    db.pragma(`application_id = ${STORE_APPLICATION_ID}`)
    db.pragma(`user_version = ${storeMigrations.length}`)
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?), ('created_by', ?)").run(
      String(storeMigrations.length),
      'app',
    )
  }).immediate()
}
