import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { parseStoredSetting, type SettingsPort, type StoredSetting } from './settings-port.ts'

type Row = { plugin: string; key: string; value: string; updated_at: string }
const stored = (r: Row): StoredSetting => ({ value: parseStoredSetting(r.value), updatedAt: r.updated_at })

/** Plugin settings values in runtime.plugin_settings: the same JSON text and ISO times as runtime.db holds. */
export function createPostgresSettingsStore(pool: PgPool): SettingsPort {
  return {
    async read(plugin) {
      const { rows } = await pool.query<Row>('SELECT key, value, updated_at FROM runtime.plugin_settings WHERE plugin = $1', [plugin])
      return new Map(rows.map((r) => [r.key, stored(r)]))
    },
    async readAll() {
      const out = new Map<string, Map<string, StoredSetting>>()
      const { rows } = await pool.query<Row>('SELECT plugin, key, value, updated_at FROM runtime.plugin_settings')
      for (const r of rows) {
        if (!out.has(r.plugin)) out.set(r.plugin, new Map())
        out.get(r.plugin)!.set(r.key, stored(r))
      }
      return out
    },
    async write(plugin, changes) {
      const now = new Date().toISOString()
      // In the order given (a key set then unset ends unset), and all or none.
      await withTransaction(pool, async (c) => {
        for (const change of changes) {
          if (change.value === null)
            await c.query('DELETE FROM runtime.plugin_settings WHERE plugin = $1 AND key = $2', [plugin, change.key])
          else
            await c.query(
              `INSERT INTO runtime.plugin_settings (plugin, key, value, updated_at) VALUES ($1, $2, $3, $4)
              ON CONFLICT (plugin, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
              [plugin, change.key, JSON.stringify(change.value), now],
            )
        }
      })
    },
  }
}
