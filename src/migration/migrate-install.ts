import { AppError } from '../errors/app-error.ts'
import { openPostgresWriterLock } from '../lock/postgres-writer-lock.ts'
import { openWriterLock } from '../lock/writer-lock.ts'
import { type CopiedTable, copyFromSqlite } from './copy-from-sqlite.ts'
import { migratePostgres } from '../postgres/migrate-postgres.ts'
import { openPostgres } from '../postgres/open-postgres.ts'

/**
 * Moves a stopped SQLite install into PostgreSQL: holds both writer locks (no scheduler may publish into
 * either meanwhile), brings the schemas to this build's version, copies and verifies. `url` is the
 * scheduler's database.url: its role owns the schemas.
 */
export async function migrateInstall(dataDir: string, url: string | undefined, progress: (line: string) => void): Promise<CopiedTable[]> {
  if (!url)
    throw new AppError(
      'USAGE',
      'app db migrate needs the target database: set database.url (APP_DATABASE_URL) to the scheduler URL `app db init` printed.',
    )
  const sqliteLock = await openWriterLock(dataDir, 'app db migrate')
  try {
    const pgLock = await openPostgresWriterLock(url, 'app db migrate', () => {})
    const pool = await openPostgres(url, { applicationName: 'app db migrate', max: 1 })
    const client = await pool.connect()
    try {
      await migratePostgres(client)
      return await copyFromSqlite(dataDir, client, progress)
    } finally {
      client.release()
      await pool.end()
      await pgLock.close()
    }
  } finally {
    await sqliteLock.close()
  }
}
