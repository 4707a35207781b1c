import pg from 'pg'
import { redactUrl } from '../config/redact-url.ts'
import { AppError } from '../errors/app-error.ts'

export type PgPool = pg.Pool
export type PgClient = pg.PoolClient
/** A pool (each query on any free connection) or one held connection. */
export type Queryable = PgPool | PgClient

// BIGINT (ms since the epoch, ids) comes back as a number, as better-sqlite3 gives it; every value we store
// there is far below 2^53. The default would be a string.
const types = new pg.TypeOverrides()
types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export interface PostgresOptions {
  /** Shown in pg_stat_activity: which role and process a connection is (also how a refused scheduler names the holder). */
  applicationName: string
  /** Connections this process may hold (default 10). */
  max?: number
}

/**
 * A pool on database.url. Its first connection is made here, so a wrong URL, a server that is down or a
 * missing grant is a clear error at start (the URL shown without its password), not a stack on first use.
 */
export async function openPostgres(url: string, options: PostgresOptions): Promise<PgPool> {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName.slice(0, 63),
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
  })
  // An idle connection the server drops (restart, admin kill) is an error event on the pool; the next query
  // opens a new connection, so it is not fatal for the process.
  pool.on('error', () => {})
  try {
    const client = await pool.connect()
    client.release()
  } catch (cause) {
    await pool.end().catch(() => {})
    throw unreachable(url, cause)
  }
  return pool
}

export function unreachable(url: string, cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new AppError(
    'DATABASE_UNREACHABLE',
    `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${reason}. Expected a reachable server and a URL like postgres://user:password@host:5432/database; check database.url (APP_DATABASE_URL), that the server runs, and the role's password and grants.`,
    { exitCode: 1, cause },
  )
}

/** Runs `fn` in one transaction on one pooled connection: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // pg-pool takes its error listener off a connection it hands out: one that drops mid-transaction (server
  // restart, pg_terminate_backend) would throw an uncaught 'error'. Its query rejects anyway; the broken
  // connection is then discarded instead of going back to the pool.
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken = error
  }
  client.on('error', onError)
  try {
    return await inTransaction(client, fn)
  } finally {
    client.removeListener('error', onError)
    client.release(broken)
  }
}

/** The same on a connection the caller holds (and releases). */
export async function inTransaction<T>(client: PgClient, fn: (client: PgClient) => Promise<T>): Promise<T> {
  await client.query('BEGIN')
  try {
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}
