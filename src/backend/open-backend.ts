import type { Config } from '../config/config-schema.ts'
import { openWriterLock, type WriterLock } from '../lock/writer-lock.ts'
import type { PluginStore, PluginStoreReader } from '../store/plugin-store-port.ts'
import { openSqlitePluginStore, openSqlitePluginStoreReader } from '../store/sqlite-plugin-store.ts'
import type { RuntimeBackend } from './runtime-backend.ts'
import { openSqliteRuntimeBackend } from './sqlite-runtime-backend.ts'

/** What a worker, web server or reading command works on: the plugin store (read only) and the runtime tables. */
export interface ReaderBackend {
  store: PluginStoreReader
  runtime: RuntimeBackend
  close(): Promise<void>
}

/** The scheduler's (and `plugins sync`'s): the writer lock held, the plugin store writable. */
export interface WriterBackend {
  lock: WriterLock
  store: PluginStore
  runtime: RuntimeBackend
  close(): Promise<void>
}

export interface ReaderOptions {
  /** How long to wait for the scheduler to create the store (or the PostgreSQL schemas). */
  waitMs?: number
  onWait?: (where: string) => void
  /** SQLite: quick_check the store on open (roles do). */
  check?: boolean
}

/**
 * Opens the backend config.database.url names: the SQLite files in dataDir when it is unset, PostgreSQL when
 * it is set (DESIGN section 12). One pool per process on PostgreSQL, shared by the store and runtime ports.
 * The PostgreSQL side (pg and its adapters) is loaded only then: an SQLite install never reads it.
 */
export async function openReaderBackend(config: Config, role: string, options: ReaderOptions = {}): Promise<ReaderBackend> {
  const url = config.database.url
  if (!url) {
    const store = await openSqlitePluginStoreReader(config.dataDir, {
      check: options.check,
      waitMs: options.waitMs,
      onWait: options.onWait,
    })
    try {
      const runtime = openSqliteRuntimeBackend(config.dataDir)
      return { store, runtime, close: closeBoth(runtime, store) }
    } catch (error) {
      await store.close()
      throw error
    }
  }
  const { store, runtime } = await (await import('./open-postgres-backend.ts')).openPostgresReader(url, role, options)
  return { store, runtime, close: closeBoth(runtime, store) }
}

/** The single writer: the lock first (exit 3 naming the holder), then the store, migrated to this build. */
export async function openWriterBackend(config: Config, command: string, onLockLost: (error: Error) => void): Promise<WriterBackend> {
  const url = config.database.url
  if (!url) {
    const lock = await openWriterLock(config.dataDir, command)
    try {
      const store = await openSqlitePluginStore(config.dataDir, { check: true })
      try {
        const runtime = openSqliteRuntimeBackend(config.dataDir)
        return { lock, store, runtime, close: closeAll(lock, runtime, store) }
      } catch (error) {
        await store.close()
        throw error
      }
    } catch (error) {
      await lock.close()
      throw error
    }
  }
  const { lock, store, runtime } = await (await import('./open-postgres-backend.ts')).openPostgresWriter(url, command, onLockLost)
  return { lock, store, runtime, close: closeAll(lock, runtime, store) }
}

// The runtime first (it stops its timers), then the store (on PostgreSQL it ends the shared pool).
function closeBoth(runtime: RuntimeBackend, store: { close(): Promise<void> }) {
  let closed = false
  return async () => {
    if (closed) return
    closed = true
    try {
      await runtime.close()
    } finally {
      await store.close()
    }
  }
}

function closeAll(lock: WriterLock, runtime: RuntimeBackend, store: { close(): Promise<void> }) {
  const both = closeBoth(runtime, store)
  return async () => {
    try {
      await both()
    } finally {
      await lock.close()
    }
  }
}
