import { AppError } from '../errors/app-error.ts'
import { inTransaction, type PgClient, type PgPool, type Queryable } from './open-postgres.ts'
import { postgresMigrations } from './postgres-schema.ts'

// Transaction-level advisory lock: two schedulers (or a scheduler and `app db init`) starting together
// migrate one after the other; the second sees the work done.
const MIGRATION_LOCK = 0x41505032 // 'APP2'

/** Brings both schemas to this build's version, on a connection acting as their owner (the scheduler's role). */
export async function migratePostgres(connection: PgClient): Promise<{ from: number; to: number }> {
  return inTransaction(connection, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS plugins.schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
    const from = await schemaVersion(client)
    if (from > postgresMigrations.length) throw tooNew(from)
    for (let v = from; v < postgresMigrations.length; v++) {
      await client.query(postgresMigrations[v]!)
      await client.query('INSERT INTO plugins.schema_migrations (version, applied_at) VALUES ($1, $2)', [v + 1, new Date().toISOString()])
    }
    return { from, to: postgresMigrations.length }
  })
}

/** The same on one of a pool's connections. */
export async function migratePostgresPool(pool: PgPool): Promise<{ from: number; to: number }> {
  const client = await pool.connect()
  try {
    return await migratePostgres(client)
  } finally {
    client.release()
  }
}

/**
 * For the roles that may not migrate (worker, web: no CREATE on the schemas): the database must be at this
 * build's version. Older: the scheduler (or `app db init`) has not brought it forward yet; newer: a newer app
 * wrote it.
 */
export async function checkPostgresSchema(db: Queryable): Promise<void> {
  const exists = await db.query("SELECT to_regclass('plugins.schema_migrations') AS t")
  const version = exists.rows[0]?.t ? await schemaVersion(db) : 0
  if (version > postgresMigrations.length) throw tooNew(version)
  if (version < postgresMigrations.length)
    throw new AppError(
      'DATABASE_NOT_INITIALIZED',
      `The PostgreSQL database has schema version ${version}, this build needs ${postgresMigrations.length}. Run \`app db init --admin-url <url>\` once, then start the scheduler (it brings the schema forward) before the workers and web servers.`,
    )
}

async function schemaVersion(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM plugins.schema_migrations')
  return rows[0]?.v ?? 0
}

function tooNew(version: number): AppError {
  return new AppError(
    'DATABASE_TOO_NEW',
    `The PostgreSQL database has schema version ${version}, newer than this build understands (${postgresMigrations.length}). It was left untouched. Run the newer app on every host.`,
  )
}
