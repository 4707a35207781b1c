// The plugin store contract's two backends: a real WAL plugins.db opened as the roles open it, and a real
// PostgreSQL database set up by `app db init`, with the scheduler writing on its role's URL and worker and
// web reading on theirs. Each test gets an empty store.
import { join } from 'node:path'
import type { TestContext } from 'vitest'
import { hashBundle, sha256 } from '../../src/bundle/hash-bundle.ts'
import type { InitResult } from '../../src/postgres/init-database.ts'
import { openPostgres, type PgPool } from '../../src/postgres/open-postgres.ts'
import type { PluginStore, PluginStoreReader, PluginStoreWriter } from '../../src/store/plugin-store-port.ts'
import { openPostgresPluginStore, openPostgresPluginStoreReader } from '../../src/store/postgres-plugin-store.ts'
import { createPostgresStoreWriter } from '../../src/store/postgres-store-writer.ts'
import { openSqlitePluginStore, openSqlitePluginStoreReader } from '../../src/store/sqlite-plugin-store.ts'
import { createStoreWriter } from '../../src/store/store-writer.ts'
import type { NewVersion } from '../../src/store/store-types.ts'
import { tempDir } from '../helpers/cli.ts'
import type { TestDatabase } from '../helpers/postgres.ts'

export const TABLES = [
  'blobs',
  'bundles',
  'plugin_versions',
  'generations',
  'generation_plugins',
  'ingest_warnings',
  'notices',
  'source_state',
]

export interface StoreHarness {
  /** The scheduler's store. */
  writer: PluginStore
  /** A reader as a worker or web server opens it. */
  reader(role: 'worker' | 'web'): Promise<PluginStoreReader>
  /** The writer's code on a worker's connection: what a worker that tried to publish would run. */
  writerOnWorkerConnection(): Promise<PluginStoreWriter>
  /** Rows in each table of the store, as an administrator sees them. */
  counts(): Promise<Record<string, number>>
  /** The error a write on a reader's connection gets. */
  refused: RegExp
}

export type OpenHarness = (t: TestContext) => Promise<StoreHarness>

export async function sqliteHarness(t: TestContext): Promise<StoreHarness> {
  const data = join(tempDir(t, 'app-store-contract-'), 'data')
  const writer = await openSqlitePluginStore(data)
  t.onTestFinished(() => writer.close())
  const reader = async () => {
    const r = await openSqlitePluginStoreReader(data)
    t.onTestFinished(() => r.close())
    return r
  }
  return {
    writer,
    reader,
    async writerOnWorkerConnection() {
      return createStoreWriter((await reader()).sqlite)
    },
    async counts() {
      return Object.fromEntries(
        TABLES.map((table) => [table, writer.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number]),
      )
    },
    refused: /readonly database/,
  }
}

/** Every test on one database: emptied before each, so ids start at 1 again. */
export function postgresHarness(db: () => TestDatabase & InitResult, admin: () => PgPool): OpenHarness {
  return async (t) => {
    await admin().query(`TRUNCATE ${TABLES.map((table) => `plugins.${table}`).join(', ')} RESTART IDENTITY CASCADE`)
    const writer = await openPostgresPluginStore(db().urls.scheduler, { applicationName: 'store-test-scheduler', max: 3 })
    t.onTestFinished(() => writer.close())
    const reader = async (role: 'worker' | 'web') => {
      const r = await openPostgresPluginStoreReader(db().urls[role], { applicationName: `store-test-${role}`, max: 3 })
      t.onTestFinished(() => r.close())
      return r
    }
    return {
      writer,
      reader,
      async writerOnWorkerConnection() {
        const pool = await openPostgres(db().urls.worker, { applicationName: 'store-test-worker-writing', max: 1 })
        t.onTestFinished(() => pool.end())
        return createPostgresStoreWriter(pool)
      },
      async counts() {
        const counts: Record<string, number> = {}
        for (const table of TABLES)
          counts[table] = (await admin().query<{ n: number }>(`SELECT count(*)::int AS n FROM plugins.${table}`)).rows[0]!.n
        return counts
      },
      refused: /permission denied for table/,
    }
  }
}

/** A version holding these files (path -> content; a path ending in `*` is executable), hashed as the scheduler hashes. */
export function version(name: string, v: string, files: Record<string, Buffer | string>, extra: Partial<NewVersion> = {}): NewVersion {
  const blobs = new Map<string, Buffer>()
  const list = Object.entries(files)
    .map(([path, content]) => {
      const data = Buffer.from(content)
      blobs.set(sha256(data), data)
      const executable = path.endsWith('*')
      return { path: executable ? path.slice(0, -1) : path, mode: executable ? 0o755 : 0o644, sha256: sha256(data), size: data.length }
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1))
  return {
    name,
    version: v,
    bundle: { sha256: hashBundle(list), files: list },
    blobs,
    manifest: { name, version: v, apiVersion: 1, modules: ['index.js'] },
    source: 'directory',
    origin: `plugins/${name}`,
    signature: null,
    status: 'ok',
    registered: null,
    warnings: [],
    ...extra,
  }
}
