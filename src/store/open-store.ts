import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { openDatabase, type Db } from './open-database.ts'
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

/**
 * Opens data/plugins.db for the scheduler: creates it, migrates it forward,
 * stamps it. A file that is not ours, or is newer than this build, is refused
 * (exit 4) and left untouched.
 */
export async function openWritableStore(dataDir: string): Promise<WritableStore> {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, STORE_FILE)
  const db = openChecked(file, false)
  migrate(db)
  return { ...createStoreReader(db), ...createStoreWriter(db), file, readonly: false, sqlite: db, close: async () => { db.close() } }
}

/**
 * Opens plugins.db read-only, as worker and web do: SQLite itself refuses
 * writes (SQLITE_READONLY). Waits up to waitMs for the scheduler to create it.
 */
export async function openReadonlyStore(dataDir: string, options: { waitMs?: number; onWait?: (file: string) => void } = {}): Promise<Store> {
  const file = join(dataDir, STORE_FILE)
  const deadline = Date.now() + (options.waitMs ?? 0)
  let told = false
  for (;;) {
    if (existsSync(file)) {
      const db = openChecked(file, true)
      const version = db.pragma('user_version', { simple: true }) as number
      if (version > 0) return { ...createStoreReader(db), file, readonly: true, sqlite: db, close: async () => { db.close() } }
      db.close() // created but not migrated yet: the scheduler is mid-setup
    }
    if (Date.now() >= deadline) {
      throw new AppError('STORE_MISSING', `plugin store ${file} does not exist (waited ${options.waitMs ?? 0} ms). Start the scheduler (app --role=scheduler) or run \`app plugins sync\` on this data directory first, or point --data-dir at the scheduler's data directory.`, { exitCode: ExitCode.store })
    }
    if (!told) options.onWait?.(file)
    told = true
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())))
  }
}

function openChecked(file: string, readonly: boolean): Db {
  let db: Db
  try {
    // 8 KiB pages: a plugin file of 4 KiB fits in one page instead of spilling to an overflow page.
    db = openDatabase(file, { readonly, pageSize: 8192 })
    const appId = db.pragma('application_id', { simple: true }) as number
    const version = db.pragma('user_version', { simple: true }) as number
    if (appId !== STORE_APPLICATION_ID && !(appId === 0 && version === 0 && isEmpty(db))) {
      db.close()
      throw new AppError('STORE_FOREIGN', `${file} is not an app plugin store (application_id ${appId}, expected ${STORE_APPLICATION_ID}). It was left untouched. Move it away or choose another --data-dir.`, { exitCode: ExitCode.store })
    }
    if (version > storeMigrations.length) {
      db.close()
      throw new AppError('STORE_TOO_NEW', `${file} has schema version ${version}, newer than this build understands (${storeMigrations.length}). It was left untouched. Run a newer app, or restore a backup made by this version.`, { exitCode: ExitCode.store })
    }
    return db
  } catch (cause) {
    if (cause instanceof AppError) throw cause
    const code = (cause as { code?: string }).code
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError('STORE_FOREIGN', `${file} is not an SQLite database (${code}). It was left untouched. Move it away or choose another --data-dir.`, { exitCode: ExitCode.store, cause })
    }
    throw cause
  }
}

function isEmpty(db: Db): boolean {
  return (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n === 0
}

function migrate(db: Db): void {
  const from = db.pragma('user_version', { simple: true }) as number
  if (from === storeMigrations.length) return
  db.transaction(() => {
    for (let v = from; v < storeMigrations.length; v++) db.exec(storeMigrations[v]!)
    db.pragma(`application_id = ${STORE_APPLICATION_ID}`)
    db.pragma(`user_version = ${storeMigrations.length}`)
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?), ('created_by', ?)").run(String(storeMigrations.length), 'app')
  }).immediate()
}
