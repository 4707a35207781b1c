// A fresh PostgreSQL database per contender and round of bench/postgres-queue.bench.ts, on the server this
// project's machines run (127.0.0.1:5432, trust; APP_TEST_POSTGRES_URL overrides), dropped afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type InitResult, initDatabase } from '../../src/postgres/init-database.ts'

const ADMIN_URL = process.env.APP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface BenchDatabase {
  /** Superuser URL of the new database (graphile-worker and pg-boss install their own schemas with it). */
  url: string
  drop(): Promise<void>
}

async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

/**
 * Drops a database once the connections a contender closed are gone: a pool still closing one when FORCE
 * terminates it would report the termination as an error event, which some pools do not listen for.
 */
async function drop(name: string): Promise<void> {
  const deadline = Date.now() + 5000
  const open = () => admin<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
  while ((await open())[0]!.n > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  for (const role of ['scheduler', 'worker', 'web']) await admin(`DROP ROLE IF EXISTS ${name}_${role}`)
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `app_bench_${randomBytes(5).toString('hex')}`
  await admin(`CREATE DATABASE ${name}`)
  const u = new URL(ADMIN_URL)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    drop: () => drop(name),
  }
}

/** A fresh database with our schemas and roles (`app db init`), and a URL per app role. */
export async function createAppBenchDatabase(): Promise<BenchDatabase & InitResult> {
  const db = await createBenchDatabase()
  const prefix = new URL(db.url).pathname.slice(1)
  return { ...db, ...(await initDatabase(db.url, { rolePrefix: prefix })) }
}
