import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../errors/app-error.ts'
import { openPostgresWriterLock } from '../lock/postgres-writer-lock.ts'
import type { WriterLock } from '../lock/writer-lock.ts'
import { checkPostgresSchema, migratePostgresPool } from '../postgres/migrate-postgres.ts'
import { openPostgres, type PgPool } from '../postgres/open-postgres.ts'
import type { PluginStore, PluginStoreReader } from '../store/plugin-store-port.ts'
import { postgresPluginStore, postgresPluginStoreReader } from '../store/postgres-plugin-store.ts'
import { connectionName, postgresRuntimeBackend } from './postgres-runtime-backend.ts'
import type { RuntimeBackend } from './runtime-backend.ts'

/** A worker's, web server's or reading command's ports on PostgreSQL: one pool, shared by the store and runtime ports. */
export async function openPostgresReader(
  url: string,
  role: string,
  options: { waitMs?: number; onWait?: (where: string) => void },
): Promise<{ store: PluginStoreReader; runtime: RuntimeBackend }> {
  const pool = await openPostgres(url, { applicationName: connectionName(role) })
  try {
    await waitForSchema(pool, options)
  } catch (error) {
    await pool.end()
    throw error
  }
  return { store: postgresPluginStoreReader(pool), runtime: postgresRuntimeBackend(pool) }
}

/** The single writer on PostgreSQL: the advisory lock first (exit 3 naming the holder), then the schemas brought forward. */
export async function openPostgresWriter(
  url: string,
  command: string,
  onLockLost: (error: Error) => void,
): Promise<{ lock: WriterLock; store: PluginStore; runtime: RuntimeBackend }> {
  const lock = await openPostgresWriterLock(url, command, onLockLost)
  try {
    const pool = await openPostgres(url, { applicationName: connectionName('scheduler') })
    try {
      await migratePostgresPool(pool)
    } catch (error) {
      await pool.end()
      throw error
    }
    return { lock, store: postgresPluginStore(pool), runtime: postgresRuntimeBackend(pool) }
  } catch (error) {
    await lock.close()
    throw error
  }
}

/** Worker and web started before the scheduler created the schemas wait for it, as they wait for plugins.db. */
async function waitForSchema(pool: PgPool, options: { waitMs?: number; onWait?: (where: string) => void }): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? 0)
  let told = false
  for (;;) {
    try {
      return await checkPostgresSchema(pool)
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'DATABASE_NOT_INITIALIZED' || Date.now() >= deadline) throw error
      if (!told) options.onWait?.('the PostgreSQL schemas')
      told = true
      await sleep(250)
    }
  }
}
