import type { StoreReader } from './store-reader.ts'
import type { StoreWriter } from './store-writer.ts'

/** The channel a publish notifies, in its own transaction, with the new generation's id (DESIGN section 12). */
export const GENERATION_CHANNEL = 'app_generation'

/**
 * What every role reads from the plugin store (DESIGN sections 3 and 12), whichever database holds it: the
 * SQLite adapter (sqlite-plugin-store.ts) wraps today's reader, the PostgreSQL one (postgres-store-reader.ts)
 * runs the same reads on `plugins.*` with the worker's or web's SELECT-only connection.
 */
export interface PluginStoreReader extends StoreReader {
  readonly backend: 'sqlite' | 'postgres'
  /**
   * Calls `onGeneration` with each generation id newer than the one current when the watch started, at most
   * once per id, in order. PostgreSQL: LISTEN on app_generation (one held connection of the pool); SQLite:
   * polls the cheap currentGenerationId every `pollMs`. Resolves to the unwatch function.
   */
  watchGenerations(onGeneration: (id: number) => void, options?: { pollMs?: number }): Promise<() => Promise<void>>
  /**
   * A token that changes once the store changed in what readers show (a generation published or pruned, a notice,
   * source state such as the disabled plugins) and stays the same while nothing did: the web role's page cache
   * asks it per request. SQLite: the file's data version; PostgreSQL: one query of a few aggregates.
   */
  changeToken(): Promise<string>
  close(): Promise<void>
}

/**
 * What the scheduler (and `app plugins sync` / `rollback`, under the writer lock) writes. A publish is one
 * transaction: a new generation appears whole or not at all, also when the process dies halfway.
 * `truncateWal` gives back the space of a write-ahead log; on PostgreSQL there is none to give back (the
 * server's autovacuum reclaims rolled-back rows), so it resolves true.
 */
export interface PluginStoreWriter extends StoreWriter {}

/** The scheduler's store: reads and writes on one connection (SQLite) or pool (PostgreSQL). */
export interface PluginStore extends PluginStoreReader, PluginStoreWriter {}
