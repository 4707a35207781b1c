import type { PluginStorageService } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'

/** limits.storageBytes' default (config-schema.ts), for callers without a config. */
export const DEFAULT_STORAGE_BYTES = 10 * 1024 * 1024
/** Longest key: keys are names, not data. */
export const MAX_KEY_LENGTH = 1024

/** A stored key as `app plugins storage` shows it. */
export interface StoredEntry {
  key: string
  bytes: number
  expiresAt: string | null
  updatedAt: string
  value: unknown
}

function checkKey(call: string, key: unknown): string {
  if (typeof key !== 'string' || !key.length || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(
      `${call}: expected a key that is a non-empty string of at most ${MAX_KEY_LENGTH} characters; found ${JSON.stringify(key)?.slice(0, 80) ?? String(key)}`,
    )
  }
  return key
}

function toJson(call: string, value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (cause) {
    throw new TypeError(`${call}: the value must be JSON-serializable: ${(cause as Error).message}`, { cause })
  }
  if (json === undefined)
    throw new TypeError(
      `${call}: expected a JSON value (object, array, string, number, boolean or null); found ${typeof value}. To remove a key use storage.delete(key).`,
    )
  return json
}

/** Greatest string starting with `prefix` is below this (U+10FFFF is the highest code point): an index range for list(prefix). */
const upperBound = (prefix: string) => `${prefix}\u{10FFFF}`

/**
 * Per-plugin JSON values in runtime.db (table plugin_storage), the SDK's `storage`. Each value counts
 * bytes of key + JSON toward limits.storageBytes per plugin; a set past it throws naming the sizes (after
 * dropping the plugin's expired keys). Expired keys read as absent; the scheduler deletes them.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: an object of short methods over one set of prepared statements
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
  const put = db.transaction((row: { plugin: string; key: string; value: string; size: number; expiresAt: number | null; now: number }) => {
    q.upsert.run(row)
    // The triggers keep the plugin's total: one row to read, however many keys it has.
    if ((q.used.get(row.plugin) as number) > quota) throw new OverQuota()
  })

  const set = (plugin: string, key: string, value: unknown, opts: { ttlMs?: number } = {}): void => {
    const call = `storage.set(${JSON.stringify(key)?.slice(0, 80)})`
    checkKey(call, key)
    const json = toJson(call, value)
    const ttlMs = opts?.ttlMs
    if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0))
      throw new TypeError(`${call}: expected options.ttlMs to be a positive number of milliseconds; found ${JSON.stringify(ttlMs)}`)
    const now = Date.now()
    const row = {
      plugin,
      key,
      value: json,
      size: Buffer.byteLength(key) + Buffer.byteLength(json),
      expiresAt: ttlMs === undefined ? null : now + ttlMs,
      now,
    }
    for (let tries = 0; ; tries++) {
      try {
        put.immediate(row)
        return
      } catch (error) {
        if (!(error instanceof OverQuota)) throw error
        // Expired keys still count until deleted: drop the plugin's, then try once more.
        if (tries === 0 && q.expired.run(plugin, now).changes > 0) continue
        const used = (q.used.get(plugin) as number | undefined) ?? 0
        const current = (q.sizeOf.get(plugin, key) as number | undefined) ?? 0
        throw new Error(
          `${call} in plugin "${plugin}": over the storage quota: this value needs ${row.size} bytes (key + JSON), and the plugin already stores ${used} bytes${current ? ` (${current} of them in this key now)` : ''}, so it would hold ${used - current + row.size} bytes, more than limits.storageBytes (${quota} bytes). Delete keys (storage.delete), set a ttlMs on values that may expire, or raise limits.storageBytes in app.toml. \`app plugins storage ${plugin}\` lists what it keeps.`,
        )
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
      if (typeof prefix !== 'string')
        throw new TypeError(`storage.list(prefix): expected a string prefix (or nothing, for every key); found ${JSON.stringify(prefix)}`)
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
      const entries = rows.map((r) => ({
        key: r.key,
        bytes: r.size,
        expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
        value: JSON.parse(r.value) as unknown,
      }))
      return { bytes: entries.reduce((n, e) => n + e.bytes, 0), entries }
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
