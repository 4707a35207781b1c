import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { openDatabase, type Db } from '../store/open-database.ts'
import { RUNTIME_APPLICATION_ID, runtimeMigrations } from './runtime-migrations.ts'

export const RUNTIME_FILE = 'runtime.db'

/**
 * Opens data/runtime.db read-write (every role writes it) and migrates it.
 * synchronous=NORMAL: in WAL mode a crash of the process loses nothing; only a
 * power cut may lose the last commits of this queue, never corrupt it.
 */
export function openRuntimeDb(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, RUNTIME_FILE)
  const db = openDatabase(file, { synchronous: 'NORMAL' })
  const appId = db.pragma('application_id', { simple: true }) as number
  const version = db.pragma('user_version', { simple: true }) as number
  if (appId !== RUNTIME_APPLICATION_ID && !(appId === 0 && version === 0)) {
    db.close()
    throw new AppError('RUNTIME_FOREIGN', `${file} is not an app runtime database (application_id ${appId}). It was left untouched. Move it away or choose another --data-dir.`, { exitCode: ExitCode.store })
  }
  if (version > runtimeMigrations.length) {
    db.close()
    throw new AppError('RUNTIME_TOO_NEW', `${file} has schema version ${version}, newer than this build understands (${runtimeMigrations.length}). Run a newer app.`, { exitCode: ExitCode.store })
  }
  if (version < runtimeMigrations.length) {
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number // re-read under the write lock
      for (let v = now; v < runtimeMigrations.length; v++) db.exec(runtimeMigrations[v]!)
      db.pragma(`application_id = ${RUNTIME_APPLICATION_ID}`)
      db.pragma(`user_version = ${runtimeMigrations.length}`)
    }).immediate()
  }
  return db
}
