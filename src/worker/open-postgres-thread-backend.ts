import { connectionName, postgresRuntimeBackend } from '../backend/postgres-runtime-backend.ts'
import { cacheDirOf, materializeBundle } from '../loader/materialize-bundle.ts'
import { checkPostgresSchema } from '../postgres/migrate-postgres.ts'
import { openPostgres } from '../postgres/open-postgres.ts'
import { createPostgresBundleCache } from '../store/postgres-bundle-cache.ts'
import { postgresPluginStoreReader } from '../store/postgres-plugin-store.ts'
import type { HandlerThreadData } from './handler-protocol.ts'
import type { ThreadBackend } from './thread-backend.ts'

/** Connections of one handler thread: its plugins' SDK calls, run-time errors, and a bundle fetch now and then. */
const THREAD_CONNECTIONS = 2

/**
 * One small PostgreSQL pool shared by the runtime ports and the plugin store, whose bundles are fetched into
 * data/cache once per host (another thread or process on this data dir may already have).
 */
export async function openPostgresThreadBackend(data: HandlerThreadData, url: string): Promise<ThreadBackend> {
  const pool = await openPostgres(url, { applicationName: connectionName(`worker thread ${data.index}`), max: THREAD_CONNECTIONS })
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
