import { checkPostgresSchema, migratePostgresPool } from '../postgres/migrate-postgres.ts'
import { openPostgres, type PgPool, type PostgresOptions } from '../postgres/open-postgres.ts'
import type { PluginStore, PluginStoreReader } from './plugin-store-port.ts'
import { watchPostgresGenerations } from './postgres-generation-watch.ts'
import { createPostgresStoreReader } from './postgres-store-reader.ts'
import { createPostgresStoreWriter } from './postgres-store-writer.ts'

// Generations are added and pruned, notices upserted (last_seen, count) and deleted, source state rewritten.
const CHANGE_TOKEN = `SELECT concat_ws('|',
    (SELECT count(*) || '/' || coalesce(max(id), 0) FROM plugins.generations),
    (SELECT count(*) || '/' || coalesce(max(last_seen), '') || '/' || coalesce(sum(count), 0) FROM plugins.notices),
    (SELECT count(*) || '/' || coalesce(max(updated_at), '') FROM plugins.source_state)) AS token`

/**
 * The plugin store's read side on a pool the caller has (a role shares one pool between the store and the
 * runtime tables); `close` ends that pool. SELECT only: a worker's or web server's connection suffices.
 */
export function postgresPluginStoreReader(pool: PgPool): PluginStoreReader {
  const reader = createPostgresStoreReader(pool)
  // A watch holds a connection, and pool.end() waits for held ones: close ends the watches first.
  const watches = new Set<() => Promise<void>>()
  return {
    ...reader,
    backend: 'postgres',
    async changeToken() {
      return (await pool.query<{ token: string }>(CHANGE_TOKEN)).rows[0]!.token
    },
    async watchGenerations(onGeneration) {
      const stop = await watchPostgresGenerations(pool, reader.currentGenerationId, onGeneration)
      const unwatch = async () => {
        watches.delete(unwatch)
        await stop()
      }
      watches.add(unwatch)
      return unwatch
    },
    async close() {
      for (const unwatch of [...watches]) await unwatch()
      if (!pool.ending) await pool.end()
    },
  }
}

/** The scheduler's store on a pool of its database role (the owner of `plugins`). */
export function postgresPluginStore(pool: PgPool): PluginStore {
  return { ...postgresPluginStoreReader(pool), ...createPostgresStoreWriter(pool) }
}

/** Opens the reader for worker and web: the schema must already be this build's (the scheduler migrates it). */
export async function openPostgresPluginStoreReader(url: string, options: PostgresOptions): Promise<PluginStoreReader> {
  const pool = await openPostgres(url, options)
  try {
    await checkPostgresSchema(pool)
  } catch (error) {
    await pool.end()
    throw error
  }
  return postgresPluginStoreReader(pool)
}

/** Opens the scheduler's store and brings both schemas forward first, as openWritableStore migrates plugins.db. */
export async function openPostgresPluginStore(url: string, options: PostgresOptions): Promise<PluginStore> {
  const pool = await openPostgres(url, options)
  try {
    await migratePostgresPool(pool)
  } catch (error) {
    await pool.end()
    throw error
  }
  return postgresPluginStore(pool)
}
