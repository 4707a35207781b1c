import { openReadonlyStore, openWritableStore, type OpenStoreOptions, type Store, type WritableStore } from './open-store.ts'
import type { PluginStore, PluginStoreReader } from './plugin-store-port.ts'
import type { StoreReader } from './store-reader.ts'

/**
 * The plugin store port on plugins.db: today's reader and writer (already async) as they are, plus the
 * generation watch. The SQLite specifics (`file`, `readonly`, `sqlite`) stay reachable for diagnostics.
 */
export async function openSqlitePluginStore(dataDir: string, options: OpenStoreOptions = {}): Promise<PluginStore & WritableStore> {
  return sqlitePluginStore(await openWritableStore(dataDir, options))
}

/** The same read-only, as worker and web open it (SQLite itself refuses writes). */
export async function openSqlitePluginStoreReader(
  dataDir: string,
  options: Parameters<typeof openReadonlyStore>[1] = {},
): Promise<PluginStoreReader & Store> {
  return sqlitePluginStore(await openReadonlyStore(dataDir, options))
}

/** Adds what the port has beyond today's store to an open one. */
export function sqlitePluginStore<S extends Store>(store: S): S & PluginStoreReader {
  const watches = new Set<() => Promise<void>>()
  const close = store.close
  // data_version moves with another connection's commit, total_changes() with this one's own writes.
  const version = store.sqlite.prepare('PRAGMA data_version').pluck()
  const changes = store.sqlite.prepare('SELECT total_changes()').pluck()
  return Object.assign(store, {
    backend: 'sqlite' as const,
    changeToken: async () => `${version.get()}/${changes.get()}`,
    async watchGenerations(onGeneration: (id: number) => void, options: { pollMs?: number } = {}) {
      const stop = await pollGenerations(store, onGeneration, options.pollMs ?? 1000)
      const unwatch = async () => {
        watches.delete(unwatch)
        await stop()
      }
      watches.add(unwatch)
      return unwatch
    },
    // Closing ends the watches: they would otherwise poll a closed connection.
    async close() {
      for (const unwatch of [...watches]) await unwatch()
      await close()
    },
  })
}

/** SQLite has no notifications across processes: the newest id is one indexed max(), cheap to read often. */
export async function pollGenerations(
  store: Pick<StoreReader, 'currentGenerationId'>,
  onGeneration: (id: number) => void,
  pollMs: number,
): Promise<() => Promise<void>> {
  let last = (await store.currentGenerationId()) ?? 0
  let busy = false
  const timer = setInterval(async () => {
    if (busy) return
    busy = true
    try {
      const id = await store.currentGenerationId()
      if (id !== null && id > last) onGeneration((last = id))
    } catch {
      // closed under us, or busy for longer than busy_timeout: the next tick reads again
    } finally {
      busy = false
    }
  }, pollMs)
  timer.unref()
  return async () => clearInterval(timer)
}
