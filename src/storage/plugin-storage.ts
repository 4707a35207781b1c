import type { PluginStorageService } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import type { PluginStoragePort } from './plugin-storage-port.ts'
import { checkKey, checkPrefix, overQuotaError, type StorageRow, type StoredEntry, storageRow, toEntries } from './storage-values.ts'

export { DEFAULT_STORAGE_BYTES, MAX_KEY_LENGTH, type StoredEntry } from './storage-values.ts'

/** Greatest string starting with `prefix` is below this (U+10FFFF is the highest code point): an index range for list(prefix). */
const upperBound = (prefix: string) => `${prefix}\u{10FFFF}`

/**
 * Per-plugin JSON values in runtime.db (table plugin_storage), the SDK's `storage`. Each value counts
 * bytes of key + JSON toward limits.storageBytes per plugin; a set past it throws naming the sizes (after
 * dropping the plugin's expired keys). Expired keys read as absent; the scheduler deletes them.
 */
export function createPluginStorage(db: Db, options: { quotaBytes: number }) {
  const q = {
    get: db.prepare('SELECT value, expires_at FROM plugin_storage WHERE plugin = ? AND key = ?'),
    upsert:
      db.prepare(`INSERT INTO plugin_storage (plugin, key, value, size, expires_at, updated_at) VALUES (@plugin, @key, @value, @size, @expiresAt, @now)
      ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, size = excluded.size, expires_at = excluded.expires_at, updated_at = excluded.updated_at`),
    used: db.prepare('SELECT bytes FROM plugin_storage_usage WHERE plugin = ?').pluck(),
    sizeOf: db.prepare('SELECT size FROM plugin_storage WHERE plugin = ? AND key = ?').pluck(),
    remove: db.prepare('DELETE FROM plugin_storage WHERE plugin = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)'),
    removeAny: db.prepare('DELETE FROM plugin_storage WHERE plugin = ? AND key = ?'),
    list: db
      .prepare(
        'SELECT key FROM plugin_storage WHERE plugin = @plugin AND key >= @prefix AND key < @upper AND (expires_at IS NULL OR expires_at > @now) ORDER BY key',
      )
      .pluck(),
    expired: db.prepare('DELETE FROM plugin_storage WHERE plugin = ? AND expires_at <= ?'),
    expiredAll: db.prepare('DELETE FROM plugin_storage WHERE expires_at <= ?'),
    entries: db.prepare(
      'SELECT key, value, size, expires_at, updated_at FROM plugin_storage WHERE plugin = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
    ),
    clear: db.prepare('DELETE FROM plugin_storage WHERE plugin = ?'),
  }
  const quota = options.quotaBytes

  class OverQuota extends Error {}
  const put = db.transaction((row: StorageRow) => {
    q.upsert.run(row)
    // The triggers keep the plugin's total: one row to read, however many keys it has.
    if ((q.used.get(row.plugin) as number) > quota) throw new OverQuota()
  })

  const set = (plugin: string, key: string, value: unknown, opts: { ttlMs?: number } = {}): void => {
    const { call, row } = storageRow(plugin, key, value, opts)
    for (let tries = 0; ; tries++) {
      try {
        put.immediate(row)
        return
      } catch (error) {
        if (!(error instanceof OverQuota)) throw error
        // Expired keys still count until deleted: drop the plugin's, then try once more.
        if (tries === 0 && q.expired.run(plugin, row.now).changes > 0) continue
        const used = (q.used.get(plugin) as number | undefined) ?? 0
        const current = (q.sizeOf.get(plugin, key) as number | undefined) ?? 0
        throw overQuotaError(call, row, used, current, quota)
      }
    }
  }

  const service: PluginStorageService = {
    async get(plugin, key) {
      checkKey('storage.get(key)', key)
      const row = q.get.get(plugin, key) as { value: string; expires_at: number | null } | undefined
      if (!row || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined
      return JSON.parse(row.value)
    },
    async set(plugin, key, value, opts) {
      set(plugin, key, value, opts)
    },
    async delete(plugin, key) {
      checkKey('storage.delete(key)', key)
      const now = Date.now()
      const live = q.remove.run(plugin, key, now).changes > 0
      if (!live) q.removeAny.run(plugin, key) // an expired one goes too, but was not there to delete
      return live
    },
    async list(plugin, prefix = '') {
      checkPrefix(prefix)
      return q.list.all({ plugin, prefix, upper: upperBound(prefix), now: Date.now() }) as string[]
    },
  }
  return {
    ...service,
    /** What `app plugins storage <name>` shows: live keys with sizes, and the total. */
    entries(plugin: string): { bytes: number; entries: StoredEntry[] } {
      const rows = q.entries.all(plugin, Date.now()) as Array<{
        key: string
        value: string
        size: number
        expires_at: number | null
        updated_at: number
      }>
      return toEntries(rows)
    },
    /** `app plugins storage <name> --clear`: every key of the plugin; returns how many. */
    clear(plugin: string): number {
      return db.transaction(() => q.clear.run(plugin).changes).immediate()
    },
    /** The scheduler's prune pass: expired keys of every plugin. */
    pruneExpired(now = Date.now()): number {
      return q.expiredAll.run(now).changes
    },
  }
}

export type PluginStorage = ReturnType<typeof createPluginStorage>

/** The same storage behind the async port; today's callers keep createPluginStorage and its sync entries/clear/pruneExpired. */
export function createSqlitePluginStorage(db: Db, options: { quotaBytes: number }): PluginStoragePort {
  const storage = createPluginStorage(db, options)
  return {
    get: storage.get,
    set: storage.set,
    delete: storage.delete,
    list: storage.list,
    entries: async (plugin) => storage.entries(plugin),
    clear: async (plugin) => storage.clear(plugin),
    pruneExpired: async (now) => storage.pruneExpired(now),
  }
}
