import { createHash } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { RUNTIME_FILE } from '../runtime/open-runtime.ts'
import { RUNTIME_APPLICATION_ID } from '../runtime/runtime-migrations.ts'
import { openDatabase, type Db } from '../store/open-database.ts'
import { createPrivateFile, makePrivateDir, PRIVATE_FILE_MODE } from '../fs/private-files.ts'
import { STORE_FILE } from '../store/open-store.ts'
import { createStoreReader } from '../store/store-reader.ts'
import { STORE_APPLICATION_ID } from '../store/store-migrations.ts'
import { APP_VERSION } from '../version.ts'

export const BACKUP_MANIFEST = 'backup.json'

export interface BackedUpFile {
  file: string
  bytes: number
  sha256: string
  applicationId: number
  schemaVersion: number
}

export interface BackupResult {
  dir: string
  createdAt: string
  app: string
  dataDir: string
  /** The plugin store's current generation in the copy. */
  generation: number | null
  files: BackedUpFile[]
}

/**
 * A consistent online copy of plugins.db and runtime.db into `outDir`, safe
 * while every role runs: `VACUUM INTO` from a read-only connection writes one
 * read transaction's snapshot without blocking the writers (WAL). Each copy is
 * then verified (integrity_check, application_id, schema version) before it
 * takes its final name; backup.json records what was copied.
 */
export async function backupDatabases(dataDir: string, outDir: string): Promise<BackupResult> {
  const dir = resolve(outDir)
  if (existsSync(dir) && readdirSync(dir).length) {
    throw new AppError(
      'BACKUP_DIR_NOT_EMPTY',
      `backup directory ${dir} is not empty; a backup never overwrites files. Choose a new directory, e.g. app backup ${dir}-${new Date().toISOString().slice(0, 10)}.`,
      { exitCode: ExitCode.usage },
    )
  }
  const storeFile = join(dataDir, STORE_FILE)
  if (!existsSync(storeFile)) {
    throw new AppError(
      'STORE_MISSING',
      `plugin store ${storeFile} does not exist: nothing to back up. Point --data-dir at the scheduler's data directory.`,
      { exitCode: ExitCode.store },
    )
  }
  makePrivateDir(dir) // 0700, and every file in it 0600: a backup holds what the databases hold
  let generation: number | null = null
  const files = [
    await copyVerified(storeFile, join(dir, STORE_FILE), STORE_APPLICATION_ID, async (db) => {
      generation = await createStoreReader(db).currentGenerationId()
    }),
  ]
  const runtimeFile = join(dataDir, RUNTIME_FILE)
  if (existsSync(runtimeFile)) files.push(await copyVerified(runtimeFile, join(dir, RUNTIME_FILE), RUNTIME_APPLICATION_ID))
  const result: BackupResult = { dir, createdAt: new Date().toISOString(), app: APP_VERSION, dataDir: resolve(dataDir), generation, files }
  writeFileSync(join(dir, BACKUP_MANIFEST), `${JSON.stringify(result, null, 2)}\n`, { mode: PRIVATE_FILE_MODE })
  syncPath(dir)
  return result
}

async function copyVerified(
  source: string,
  target: string,
  applicationId: number,
  inspect?: (db: Db) => Promise<void>,
): Promise<BackedUpFile> {
  const tmp = `${target}.partial`
  rmSync(tmp, { force: true })
  const src = openDatabase(source, { readonly: true, busyTimeoutMs: 30_000 })
  let schemaVersion: number
  try {
    schemaVersion = src.pragma('user_version', { simple: true }) as number
    createPrivateFile(tmp) // VACUUM INTO fills an empty file and keeps its mode 0600
    src.prepare('VACUUM INTO ?').run(tmp)
  } catch (cause) {
    rmSync(tmp, { force: true })
    throw new AppError(
      'BACKUP_FAILED',
      `copying ${source} failed: ${(cause as Error).message}. Nothing was written under that name; check free space in the backup directory and run again.`,
      { cause },
    )
  } finally {
    src.close()
  }
  // Opened read-write once: switches the copy to WAL so a restore is a plain file copy, then verifies it.
  const db = openDatabase(tmp)
  try {
    const problems = (db.pragma('integrity_check(10)') as Array<{ integrity_check: string }>)
      .map((r) => r.integrity_check)
      .filter((r) => r !== 'ok')
    const appId = db.pragma('application_id', { simple: true }) as number
    const version = db.pragma('user_version', { simple: true }) as number
    if (problems.length || appId !== applicationId || version !== schemaVersion) {
      const found = problems.length
        ? `integrity_check: ${problems.join('; ')}`
        : `application_id ${appId} (expected ${applicationId}), schema version ${version} (expected ${schemaVersion})`
      throw new AppError(
        'BACKUP_FAILED',
        `the copy of ${source} did not verify (${found}); it was deleted. Run \`app doctor\` on the data directory: the source itself may be damaged.`,
      )
    }
    await inspect?.(db)
  } catch (error) {
    db.close()
    rmSync(tmp, { force: true })
    throw error
  }
  db.close()
  syncPath(tmp)
  renameSync(tmp, target)
  const data = readFileSync(target)
  return {
    file: target,
    bytes: statSync(target).size,
    sha256: createHash('sha256').update(data).digest('hex'),
    applicationId,
    schemaVersion,
  }
}

/** fsync a file or directory, so a backup that reported success survives a power cut. */
function syncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
