import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { redactUrl } from '../config/redact-url.ts'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { makePrivateDir, PRIVATE_FILE_MODE } from '../fs/private-files.ts'
import { APP_VERSION } from '../version.ts'
import { BACKUP_MANIFEST } from './backup-databases.ts'

const run = promisify(execFile)
export const DUMP_FILE = 'app.dump'

export interface PostgresBackupResult {
  dir: string
  createdAt: string
  app: string
  database: string
  file: string
  bytes: number
  sha256: string
  /** Tables in the dump, as pg_restore --list reads them back. */
  tables: number
}

/**
 * `app backup <dir>` on PostgreSQL: pg_dump of the schemas plugins and runtime in its custom format (one
 * consistent snapshot, taken while the roles run), read back with pg_restore --list before it counts as done.
 * Without pg_dump on this host, says how to get it or where else to run it.
 */
export async function backupPostgres(url: string, outDir: string): Promise<PostgresBackupResult> {
  const dir = resolve(outDir)
  if (existsSync(dir) && readdirSync(dir).length)
    throw new AppError(
      'BACKUP_DIR_NOT_EMPTY',
      `backup directory ${dir} is not empty; a backup never overwrites files. Choose a new directory.`,
      {
        exitCode: ExitCode.usage,
      },
    )
  makePrivateDir(dir)
  const file = join(dir, DUMP_FILE)
  const env = { ...process.env, PGCONNECT_TIMEOUT: '10' }
  try {
    await run('pg_dump', ['--format=custom', '--schema=plugins', '--schema=runtime', `--file=${file}`, `--dbname=${url}`], { env })
  } catch (cause) {
    throw dumpFailed(url, cause)
  }
  const { stdout } = await run('pg_restore', ['--list', file])
  const tables = stdout.split('\n').filter((l) => / TABLE DATA (plugins|runtime) /.test(l)).length
  const data = readFileSync(file)
  const result: PostgresBackupResult = {
    dir,
    createdAt: new Date().toISOString(),
    app: APP_VERSION,
    database: redactUrl(url),
    file: DUMP_FILE,
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    tables,
  }
  writeFileSync(join(dir, BACKUP_MANIFEST), `${JSON.stringify(result, null, 2)}\n`, { mode: PRIVATE_FILE_MODE })
  return result
}

function dumpFailed(url: string, cause: unknown): AppError {
  const e = cause as NodeJS.ErrnoException & { stderr?: string }
  const how = `pg_dump --format=custom --schema=plugins --schema=runtime --file=app.dump '${redactUrl(url)}'`
  if (e.code === 'ENOENT')
    return new AppError(
      'BACKUP_FAILED',
      `pg_dump is not installed on this host, so app cannot back up the PostgreSQL database. Install the client (apt-get install postgresql-client, of the server's major version or newer), or run on a host that has it: ${how}`,
      { cause },
    )
  const reason = (e.stderr ?? e.message).trim().split('\n').at(-1)?.replaceAll(url, redactUrl(url))
  return new AppError('BACKUP_FAILED', `pg_dump of ${redactUrl(url)} failed: ${reason}. The same by hand: ${how}`, { cause })
}
