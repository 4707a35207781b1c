import type { Db } from '../store/open-database.ts'
import type { SettingValue } from './setting-declaration.ts'
import { parseStoredSetting as parse, type SettingsPort, type StoredSetting } from './settings-port.ts'

export type { StoredSetting } from './settings-port.ts'

/**
 * Plugin settings values in runtime.db (table plugin_settings), per plugin
 * and key, kept across versions. Each value is JSON of its typed value; a
 * secret's value is its reference (env:NAME, file:/path), never the secret.
 */

const noTable = (error: unknown) => /no such table: plugin_settings/.test((error as Error)?.message ?? '')

const selects = new WeakMap<Db, ReturnType<Db['prepare']>>()

/** The stored values of one plugin. An older runtime.db opened read-only (the publish dry run) may lack the table: no values. */
export function readPluginSettings(db: Db, plugin: string): Map<string, StoredSetting> {
  try {
    let select = selects.get(db)
    if (!select) selects.set(db, (select = db.prepare('SELECT key, value, updated_at FROM plugin_settings WHERE plugin = ?')))
    const rows = select.all(plugin) as Array<{ key: string; value: string; updated_at: string }>
    return new Map(rows.map((r) => [r.key, { value: parse(r.value), updatedAt: r.updated_at }]))
  } catch (error) {
    if (noTable(error)) return new Map()
    throw error
  }
}

/** Every plugin's stored values, for the report (one query). */
export function readAllPluginSettings(db: Db): Map<string, Map<string, StoredSetting>> {
  const out = new Map<string, Map<string, StoredSetting>>()
  let rows: Array<{ plugin: string; key: string; value: string; updated_at: string }>
  try {
    rows = db.prepare('SELECT plugin, key, value, updated_at FROM plugin_settings').all() as typeof rows
  } catch (error) {
    if (noTable(error)) return out
    throw error
  }
  for (const r of rows) {
    if (!out.has(r.plugin)) out.set(r.plugin, new Map())
    out.get(r.plugin)!.set(r.key, { value: parse(r.value), updatedAt: r.updated_at })
  }
  return out
}

/** Sets (value) and unsets (null) keys of one plugin in one transaction: all of them, or none. */
export function writePluginSettings(db: Db, plugin: string, changes: Array<{ key: string; value: SettingValue | null }>): void {
  const upsert = db.prepare(`INSERT INTO plugin_settings (plugin, key, value, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
  const remove = db.prepare('DELETE FROM plugin_settings WHERE plugin = ? AND key = ?')
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const c of changes) {
      if (c.value === null) remove.run(plugin, c.key)
      else upsert.run(plugin, c.key, JSON.stringify(c.value), now)
    }
  }).immediate()
}

/**
 * What the SDK's settings.get() reads: the plugin's values, fresh from
 * runtime.db on every call (one indexed read), so `app plugins settings
 * ... set` applies to running roles at once, with no restart.
 */
export function createSettingsReader(db: Db): { values(plugin: string): Map<string, unknown> } {
  return {
    values(plugin) {
      return new Map([...readPluginSettings(db, plugin)].map(([k, s]) => [k, s.value]))
    },
  }
}

/** The same store behind the async port; today's callers keep the sync functions above. */
export function createSqliteSettingsStore(db: Db): SettingsPort {
  return {
    read: async (plugin) => readPluginSettings(db, plugin),
    readAll: async () => readAllPluginSettings(db),
    write: async (plugin, changes) => writePluginSettings(db, plugin, changes),
  }
}
