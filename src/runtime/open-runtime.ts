import { join } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { fileSize, foreignContent, isBlank, readIdentity, sqliteCode } from '../store/database-identity.ts'
import { openDatabase, type Db } from '../store/open-database.ts'
import { makePrivateDir } from '../fs/private-files.ts'
import { RUNTIME_APPLICATION_ID, runtimeMigrations } from './runtime-migrations.ts'

export const RUNTIME_FILE = 'runtime.db'

/**
 * Opens data/runtime.db read-write (every role writes it) and migrates it.
 * synchronous=NORMAL: in WAL mode a crash of the process loses nothing; only a
 * power cut may lose the last commits of this queue, never corrupt it.
 * A file that is not ours (another application's tables, even with no
 * application_id) is refused with exit 4 and left byte-identical; no file, or
 * an empty one, is ours to initialize.
 */
export function openRuntimeDb(dataDir: string): Db {
  makePrivateDir(dataDir)
  const file = join(dataDir, RUNTIME_FILE)
  // Decided on a read-only connection first: the read-write open switches the file to WAL, which
  // rewrites the header of a file that is not ours.
  if (fileSize(file)) {
    const probe = openIdentified(file, true)
    probe.close()
  }
  const db = openIdentified(file, false)
  const version = db.pragma('user_version', { simple: true }) as number
  if (version < runtimeMigrations.length) {
    try {
      db.transaction(() => {
        const now = db.pragma('user_version', { simple: true }) as number // re-read under the write lock
        if (now === 0 && !isBlank(readIdentity(db))) throw foreign(file, readIdentity(db)) // filled by someone else meanwhile
        for (let v = now; v < runtimeMigrations.length; v++) db.exec(runtimeMigrations[v]!)
        db.pragma(`application_id = ${RUNTIME_APPLICATION_ID}`)
        db.pragma(`user_version = ${runtimeMigrations.length}`)
      }).immediate()
    } catch (error) {
      db.close()
      throw error
    }
  }
  return db
}

function openIdentified(file: string, readonly: boolean): Db {
  let db: Db | undefined
  try {
    db = openDatabase(file, { readonly, synchronous: 'NORMAL' })
    const id = readIdentity(db)
    if (id.applicationId !== RUNTIME_APPLICATION_ID && !isBlank(id)) throw foreign(file, id)
    if (id.userVersion > runtimeMigrations.length) {
      throw new AppError(
        'RUNTIME_TOO_NEW',
        `${file} has schema version ${id.userVersion}, newer than this build understands (${runtimeMigrations.length}). It was left untouched. Run a newer app, or restore a backup made by this version.`,
        { exitCode: ExitCode.store },
      )
    }
    return db
  } catch (cause) {
    db?.close()
    if (sqliteCode(cause) === 'SQLITE_NOTADB') {
      throw new AppError(
        'RUNTIME_FOREIGN',
        `${file} is not an SQLite database (SQLITE_NOTADB), so not an app runtime database. It was left untouched. Move it away, or point --data-dir at this install's data directory.`,
        { exitCode: ExitCode.store, cause },
      )
    }
    throw cause
  }
}

function foreign(file: string, id: ReturnType<typeof readIdentity>): AppError {
  return new AppError(
    'RUNTIME_FOREIGN',
    `${file} is not an app runtime database (application_id ${id.applicationId}, expected ${RUNTIME_APPLICATION_ID}${foreignContent(id)}). It was left untouched. Move it away, or point --data-dir at this install's data directory.`,
    { exitCode: ExitCode.store },
  )
}
