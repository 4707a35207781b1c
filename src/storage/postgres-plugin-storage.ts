import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { PluginStoragePort } from './plugin-storage-port.ts'
import { checkKey, checkPrefix, overQuotaError, type StorageRow, storageRow, toEntries } from './storage-values.ts'

const UPSERT = `INSERT INTO runtime.plugin_storage (plugin, key, value, size, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (plugin, key) DO UPDATE SET value = EXCLUDED.value, size = EXCLUDED.size, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`
const USED = 'SELECT bytes FROM runtime.plugin_storage_usage WHERE plugin = $1'
const DROP_EXPIRED = 'DELETE FROM runtime.plugin_storage WHERE plugin = $1 AND expires_at <= $2'
const LIVE = '(expires_at IS NULL OR expires_at > $3)'

class OverQuota extends Error {}

// PostgreSQL text cannot hold U+0000 (SQLite can): say so rather than pass on the server's encoding error.
function checkNoNul(call: string, text: string): void {
  if (text.includes('\u0000'))
    throw new TypeError(`${call}: the key contains the character U+0000, which PostgreSQL cannot store; use a key without it`)
}

/**
 * The SDK's `storage` on PostgreSQL (runtime.plugin_storage), for the worker's and web's connections. The
 * quota: the upsert's trigger updates the plugin's plugin_storage_usage row, which row-locks it until commit,
 * so two writers of one plugin on two connections take turns; each then reads the total with its own write
 * in it (READ COMMITTED: the statement after the wait sees the other's commit) and rolls back past the quota.
 * Every statement locks the changed storage rows before that usage row, so no two writers wait on each other
 * in a circle. Keys sort by code point (COLLATE "C"), as SQLite's do, whatever the database's collation.
 */
export function createPostgresPluginStorage(pool: PgPool, options: { quotaBytes: number }): PluginStoragePort {
  const quota = options.quotaBytes
  const used = async (plugin: string): Promise<number> => (await pool.query<{ bytes: number }>(USED, [plugin])).rows[0]?.bytes ?? 0
  const put = (row: StorageRow) =>
    withTransaction(pool, async (c) => {
      await c.query(UPSERT, [row.plugin, row.key, row.value, row.size, row.expiresAt, row.now])
      const total = (await c.query<{ bytes: number }>(USED, [row.plugin])).rows[0]?.bytes ?? 0
      if (total > quota) throw new OverQuota()
    })

  return {
    async get(plugin, key) {
      checkKey('storage.get(key)', key)
      checkNoNul('storage.get(key)', key)
      const { rows } = await pool.query<{ value: string; expires_at: number | null }>(
        'SELECT value, expires_at FROM runtime.plugin_storage WHERE plugin = $1 AND key = $2',
        [plugin, key],
      )
      const row = rows[0]
      if (!row || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined
      return JSON.parse(row.value)
    },
    async set(plugin, key, value, opts) {
      const { call, row } = storageRow(plugin, key, value, opts)
      checkNoNul(call, key)
      for (let tries = 0; ; tries++) {
        try {
          await put(row)
          return
        } catch (error) {
          if (!(error instanceof OverQuota)) throw error
          // Expired keys still count until deleted: drop the plugin's, then try once more.
          if (tries === 0 && (await pool.query(DROP_EXPIRED, [plugin, row.now])).rowCount) continue
          const size = await pool.query<{ size: number }>('SELECT size FROM runtime.plugin_storage WHERE plugin = $1 AND key = $2', [
            plugin,
            key,
          ])
          throw overQuotaError(call, row, await used(plugin), size.rows[0]?.size ?? 0, quota)
        }
      }
    },
    async delete(plugin, key) {
      checkKey('storage.delete(key)', key)
      checkNoNul('storage.delete(key)', key)
      // An expired key goes too, but was not there to delete: true only for a live one.
      const { rows } = await pool.query<{ live: boolean }>(
        `DELETE FROM runtime.plugin_storage WHERE plugin = $1 AND key = $2 RETURNING ${LIVE} AS live`,
        [plugin, key, Date.now()],
      )
      return rows[0]?.live === true
    },
    async list(plugin, prefix = '') {
      checkPrefix(prefix)
      if (prefix.includes('\u0000')) return []
      const { rows } = await pool.query<{ key: string }>(
        `SELECT key FROM runtime.plugin_storage WHERE plugin = $1 AND starts_with(key, $2) AND ${LIVE} ORDER BY key COLLATE "C"`,
        [plugin, prefix, Date.now()],
      )
      return rows.map((r) => r.key)
    },
    async entries(plugin) {
      const { rows } = await pool.query(
        `SELECT key, value, size, expires_at, updated_at FROM runtime.plugin_storage WHERE plugin = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY key COLLATE "C"`,
        [plugin, Date.now()],
      )
      return toEntries(rows)
    },
    async clear(plugin) {
      return (await pool.query('DELETE FROM runtime.plugin_storage WHERE plugin = $1', [plugin])).rowCount ?? 0
    },
    async pruneExpired(now = Date.now()) {
      return (await pool.query('DELETE FROM runtime.plugin_storage WHERE expires_at <= $1', [now])).rowCount ?? 0
    },
  }
}
