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

/** One value to write, as both adapters store it. */
export interface StorageRow {
  plugin: string
  key: string
  value: string
  size: number
  expiresAt: number | null
  now: number
}

export function checkKey(call: string, key: unknown): string {
  if (typeof key !== 'string' || !key.length || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(
      `${call}: expected a key that is a non-empty string of at most ${MAX_KEY_LENGTH} characters; found ${JSON.stringify(key)?.slice(0, 80) ?? String(key)}`,
    )
  }
  return key
}

export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string')
    throw new TypeError(`storage.list(prefix): expected a string prefix (or nothing, for every key); found ${JSON.stringify(prefix)}`)
  return prefix
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

/** storage.set's arguments checked and turned into the row to write; `call` names the call in errors. */
export function storageRow(plugin: string, key: string, value: unknown, opts: { ttlMs?: number } = {}): { call: string; row: StorageRow } {
  const call = `storage.set(${JSON.stringify(key)?.slice(0, 80)})`
  checkKey(call, key)
  const json = toJson(call, value)
  const ttlMs = opts?.ttlMs
  if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0))
    throw new TypeError(`${call}: expected options.ttlMs to be a positive number of milliseconds; found ${JSON.stringify(ttlMs)}`)
  const now = Date.now()
  const size = Buffer.byteLength(key) + Buffer.byteLength(json)
  return { call, row: { plugin, key, value: json, size, expiresAt: ttlMs === undefined ? null : now + ttlMs, now } }
}

/** The refusal of a set past limits.storageBytes: the sizes, and what to do. */
export function overQuotaError(call: string, row: StorageRow, used: number, current: number, quota: number): Error {
  const { plugin } = row
  return new Error(
    `${call} in plugin "${plugin}": over the storage quota: this value needs ${row.size} bytes (key + JSON), and the plugin already stores ${used} bytes${current ? ` (${current} of them in this key now)` : ''}, so it would hold ${used - current + row.size} bytes, more than limits.storageBytes (${quota} bytes). Delete keys (storage.delete), set a ttlMs on values that may expire, or raise limits.storageBytes in app.toml. \`app plugins storage ${plugin}\` lists what it keeps.`,
  )
}

/** A stored row as `app plugins storage` shows it, and the plugin's total. */
export function toEntries(rows: Array<{ key: string; value: string; size: number; expires_at: number | null; updated_at: number }>): {
  bytes: number
  entries: StoredEntry[]
} {
  const entries = rows.map((r) => ({
    key: r.key,
    bytes: r.size,
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    value: JSON.parse(r.value) as unknown,
  }))
  return { bytes: entries.reduce((n, e) => n + e.bytes, 0), entries }
}
