// A fresh PostgreSQL database (and role prefix) per test file, on the server every machine of this project runs
// (127.0.0.1:5432, trust auth; APP_TEST_POSTGRES_URL overrides). Not skipped when the server is down: the
// tests fail with the reason, because a skipped test would count as passing.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { initDatabase, type InitResult } from '../../src/postgres/init-database.ts'

export const ADMIN_URL = process.env.APP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  /** Superuser URL of the new database. */
  adminUrl: string
  /** The database role prefix `app db init` used (roles are cluster-wide, so each test database has its own). */
  prefix: string
  name: string
  drop(): Promise<void>
}

/** An empty database; `init` also runs `app db init`'s work on it and returns the three role URLs. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `app_t_${randomBytes(5).toString('hex')}`
  await adminQuery(ADMIN_URL, `CREATE DATABASE ${name}`)
  const u = new URL(ADMIN_URL)
  u.pathname = `/${name}`
  return {
    adminUrl: u.toString(),
    prefix: name,
    name,
    async drop() {
      await adminQuery(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      for (const role of ['scheduler', 'worker', 'web']) await adminQuery(ADMIN_URL, `DROP ROLE IF EXISTS ${name}_${role}`)
    },
  }
}

/** A test database with the schemas, roles and grants of `app db init`. */
export async function createInitializedDatabase(): Promise<TestDatabase & InitResult> {
  const db = await createTestDatabase()
  const init = await initDatabase(db.adminUrl, { rolePrefix: db.prefix })
  return { ...db, ...init }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
  } catch (cause) {
    throw new Error(
      `PostgreSQL is not reachable at ${url} (${(cause as Error).message}). The tests need PostgreSQL 15 on 127.0.0.1:5432 with trust auth; .ci/run starts one (or set APP_TEST_POSTGRES_URL).`,
    )
  }
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
