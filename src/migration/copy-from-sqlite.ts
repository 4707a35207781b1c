import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { AppError } from '../errors/app-error.ts'
import { RUNTIME_FILE } from '../runtime/open-runtime.ts'
import { RUNTIME_APPLICATION_ID } from '../runtime/runtime-migrations.ts'
import { fileSize } from '../store/database-identity.ts'
import { type Db, openDatabase } from '../store/open-database.ts'
import { STORE_FILE } from '../store/open-store.ts'
import { STORE_APPLICATION_ID } from '../store/store-migrations.ts'
import { inTransaction, type PgClient } from '../postgres/open-postgres.ts'

// In foreign-key order. plugin_storage_usage is not copied: the trigger on plugin_storage rebuilds it, and the
// verification below proves it came out equal.
const TABLES = {
  plugins: [
    'meta',
    'blobs',
    'bundles',
    'plugin_versions',
    'generations',
    'generation_plugins',
    'ingest_warnings',
    'notices',
    'source_state',
  ],
  runtime: [
    'processes',
    'load_reports',
    'jobs',
    'schedules',
    'resources',
    'bots',
    'runtime_errors',
    'web_sessions',
    'plugin_settings',
    'warning_acks',
    'plugin_requests',
    'audit_log',
    'hook_subscriptions',
    'plugin_storage',
    'plugin_storage_usage',
  ],
} as const
const DERIVED = new Set(['plugin_storage_usage'])
const BATCH_BYTES = 8 * 1024 * 1024

export interface CopiedTable {
  table: string
  rows: number
  sha256: string
}

/**
 * `app db migrate --from-sqlite <data-dir>`: copies plugins.db and runtime.db into the (empty) PostgreSQL
 * schemas in one transaction, then reads every table back and compares row counts and a hash of every row
 * before it commits. Any difference rolls the whole copy back: the target is left as empty as
 * it was, and the SQLite files are only read.
 */
export async function copyFromSqlite(dataDir: string, client: PgClient, progress: (line: string) => void): Promise<CopiedTable[]> {
  const store = openSqlite(join(dataDir, STORE_FILE), STORE_APPLICATION_ID)
  const runtime = fileSize(join(dataDir, RUNTIME_FILE)) ? openSqlite(join(dataDir, RUNTIME_FILE), RUNTIME_APPLICATION_ID) : null
  try {
    return await inTransaction(client, async () => {
      await refuseNonEmpty(client)
      const copied: CopiedTable[] = []
      for (const [schema, db] of [
        ['plugins', store],
        ['runtime', runtime],
      ] as const) {
        if (!db) continue
        refuseUnknownTables(db, schema)
        const present = new Set(tablesOf(db))
        for (const table of TABLES[schema]) {
          if (!present.has(table)) continue // an older file: the table came with a later version
          if (!DERIVED.has(table)) await copyTable(db, client, schema, table, progress)
          copied.push(await verifyTable(db, client, schema, table))
        }
        await resetIdentities(client, schema)
      }
      return copied
    })
  } finally {
    store.close()
    runtime?.close()
  }
}

function openSqlite(file: string, applicationId: number): Db {
  if (!fileSize(file))
    throw new AppError(
      'STORE_MISSING',
      `${file} does not exist or is empty: nothing to move. Point --from-sqlite at the install's data directory.`,
    )
  const db = openDatabase(file, { readonly: true })
  if (db.pragma('application_id', { simple: true }) !== applicationId) {
    db.close()
    throw new AppError(
      'STORE_FOREIGN',
      `${file} is not an app plugin store; nothing was copied. Point --from-sqlite at the install's data directory.`,
    )
  }
  return db
}

async function refuseNonEmpty(client: PgClient): Promise<void> {
  const filled: string[] = []
  for (const [schema, tables] of Object.entries(TABLES))
    for (const table of tables) {
      const { rowCount } = await client.query(`SELECT 1 FROM ${schema}.${table} LIMIT 1`)
      if (rowCount) filled.push(`${schema}.${table}`)
    }
  if (filled.length)
    throw new AppError(
      'DATABASE_NOT_EMPTY',
      `The PostgreSQL database already holds app data (${filled.slice(0, 5).join(', ')}${filled.length > 5 ? ', ...' : ''}); nothing was copied. Move an install into a new, empty database: create one, run \`app db init\` on it, and point database.url at it.`,
    )
}

function refuseUnknownTables(db: Db, schema: keyof typeof TABLES): void {
  const known = new Set<string>(TABLES[schema])
  const unknown = tablesOf(db).filter((t) => !known.has(t))
  if (unknown.length)
    throw new AppError(
      'STORE_TOO_NEW',
      `The SQLite ${schema === 'plugins' ? STORE_FILE : RUNTIME_FILE} has table(s) this build cannot move (${unknown.join(', ')}); nothing was copied. Run the app version that wrote it.`,
    )
}

const tablesOf = (db: Db) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]
const columnsOf = (db: Db, table: string) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).sort()

async function copyTable(db: Db, client: PgClient, schema: string, table: string, progress: (line: string) => void): Promise<void> {
  const columns = columnsOf(db, table)
  const total = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
  let batch: unknown[][] = []
  let bytes = 0
  let done = 0
  const flush = async () => {
    if (!batch.length) return
    const params = batch.flat()
    const rows = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
    // OVERRIDING SYSTEM VALUE: ids are copied as they are, so references between tables stay right.
    await client.query(`INSERT INTO ${schema}.${table} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${rows.join(', ')}`, params)
    done += batch.length
    batch = []
    bytes = 0
    if (total > 1000) progress(`  ${schema}.${table}: ${done} of ${total} rows`)
  }
  for (const row of db
    .prepare(`SELECT ${columns.join(', ')} FROM ${table}`)
    .raw()
    .iterate() as Iterable<unknown[]>) {
    batch.push(row)
    bytes += row.reduce<number>((n, v) => n + (Buffer.isBuffer(v) ? v.length : String(v).length), 0)
    if (bytes >= BATCH_BYTES || (batch.length + 1) * columns.length > 60_000) await flush()
  }
  await flush()
}

async function verifyTable(db: Db, client: PgClient, schema: string, table: string): Promise<CopiedTable> {
  const columns = columnsOf(db, table)
  const from = hashRows(
    db
      .prepare(`SELECT ${columns.join(', ')} FROM ${table}`)
      .raw()
      .all() as unknown[][],
  )
  const { rows } = await client.query({ text: `SELECT ${columns.join(', ')} FROM ${schema}.${table}`, rowMode: 'array' })
  const to = hashRows(rows as unknown[][])
  if (from.rows !== to.rows || from.sha256 !== to.sha256)
    throw new AppError(
      'MIGRATION_MISMATCH',
      `${schema}.${table} differs after the copy (SQLite: ${from.rows} rows, sha256 ${from.sha256.slice(0, 16)}; PostgreSQL: ${to.rows} rows, sha256 ${to.sha256.slice(0, 16)}). Nothing was committed; report this with both files.`,
    )
  return { table: `${schema}.${table}`, ...from }
}

/**
 * A hash of the table's rows in any order: each row's hash, sorted, hashed again. Sorting hashes rather than
 * rows by key keeps the two databases' text collations (SQLite's bytewise, PostgreSQL's locale) out of it.
 */
function hashRows(rows: unknown[][]): { rows: number; sha256: string } {
  const rowHash = (row: unknown[]) =>
    createHash('sha256')
      .update(JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v))))
      .digest('hex')
  const hash = createHash('sha256')
  for (const h of rows.map(rowHash).sort()) hash.update(h)
  return { rows: rows.length, sha256: hash.digest('hex') }
}

async function resetIdentities(client: PgClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'id' AND is_identity = 'YES'",
    [schema],
  )
  for (const { table_name: t } of rows)
    await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM ${schema}.${t}), 0) + 1, false)`, [
      `${schema}.${t}`,
    ])
}
