import { connectionName, postgresRuntimeBackend } from '../backend/postgres-runtime-backend.ts'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { openSqliteRuntimeBackend } from '../backend/sqlite-runtime-backend.ts'
import { cacheDirOf, materializeBundle } from '../loader/materialize-bundle.ts'
import { checkPostgresSchema } from '../postgres/migrate-postgres.ts'
import { openPostgres } from '../postgres/open-postgres.ts'
import { createPostgresBundleCache } from '../store/postgres-bundle-cache.ts'
import { postgresPluginStoreReader } from '../store/postgres-plugin-store.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { HandlerThreadData } from './handler-protocol.ts'

/** Connections of one handler thread: its plugins' SDK calls, run-time errors, and a bundle fetch now and then. */
const THREAD_CONNECTIONS = 2

/** What a handler thread works on, of its own: threads share no connection with the worker's main thread. */
export interface ThreadBackend {
  runtime: RuntimeBackend
  /** The plugin store, for loading a generation; null: plugins.db in the data dir, opened by the loader for each load. */
  store: StoreReader | null
  /** Where a bundle's files are (LoadPluginsOptions.bundleDir); undefined: written from the store. */
  bundleDir?: (sha256: string) => Promise<string>
  close(): Promise<void>
}

/**
 * The backend database.url names (HandlerThreadData.databaseUrl): runtime.db in the data dir when unset, else
 * one small PostgreSQL pool shared by the runtime ports and the plugin store, whose bundles are fetched into
 * data/cache once per host (another thread or process on this data dir may already have).
 */
export async function openThreadBackend(data: HandlerThreadData): Promise<ThreadBackend> {
  if (!data.databaseUrl) {
    const runtime = openSqliteRuntimeBackend(data.dataDir)
    return { runtime, store: null, close: () => runtime.close() }
  }
  const pool = await openPostgres(data.databaseUrl, {
    applicationName: connectionName(`worker thread ${data.index}`),
    max: THREAD_CONNECTIONS,
  })
  try {
    await checkPostgresSchema(pool)
  } catch (error) {
    await pool.end()
    throw error
  }
  const runtime = postgresRuntimeBackend(pool)
  const bundles = createPostgresBundleCache(pool, cacheDirOf(data.dataDir), materializeBundle)
  // runtime.close() ends the pool the store reads through too.
  return { runtime, store: postgresPluginStoreReader(pool), bundleDir: (sha) => bundles.dir(sha), close: () => runtime.close() }
}
