import type { Db } from '../store/open-database.ts'
import { declaredSettings } from './setting-declaration.ts'
import type { StoredSetting } from './settings-port.ts'
import { settingsFixCommand, settingsState, type SettingsState } from './settings-state.ts'
import { readPluginSettings } from './settings-store.ts'

export interface PluginSettingsView extends SettingsState {
  plugin: string
  version: string
  /** The command that sets what is missing or invalid; null when nothing is. */
  fix: string | null
}

type ViewedEntry = { name: string; version: string; manifest: Record<string, unknown> }

/**
 * One plugin version's declared settings with the values runtime.db holds:
 * what `app plugins settings <name> --json` prints and /api/v1/plugins/:name
 * carries. A secret shows as its reference (env:NAME, file:/path), never resolved.
 */
export function pluginSettingsView(runtime: Db, entry: ViewedEntry): PluginSettingsView {
  return settingsViewOf(entry, readPluginSettings(runtime, entry.name))
}

/** The same from values already read (SettingsPort.read), on either backend. */
export function settingsViewOf(entry: ViewedEntry, stored: Map<string, StoredSetting>): PluginSettingsView {
  const declarations = declaredSettings(entry.manifest)
  const state = settingsState(declarations, stored)
  const keys = [...state.missing, ...state.invalid.map((p) => p.key)]
  return {
    plugin: entry.name,
    version: entry.version,
    ...state,
    fix: keys.length ? settingsFixCommand(entry.name, declarations, keys) : null,
  }
}
