import type { SettingChange } from './parse-setting-pairs.ts'

/** One stored setting: its typed value (a secret's is its reference, env:NAME or file:/path) and when it was set. */
export interface StoredSetting {
  value: unknown
  updatedAt: string
}

/**
 * Plugin settings values (table plugin_settings) on either backend, per plugin and key, kept across
 * versions: what operators set (`app plugins settings ... set`, the web console) and roles read.
 */
export interface SettingsPort {
  /** The stored values of one plugin. */
  read(plugin: string): Promise<Map<string, StoredSetting>>
  /** Every plugin's stored values (the report). */
  readAll(): Promise<Map<string, Map<string, StoredSetting>>>
  /** Sets (value) and unsets (null) keys of one plugin in one transaction: all of them, or none. */
  write(plugin: string, changes: SettingChange[]): Promise<void>
}

/** A stored value is JSON of the typed value; text that is not JSON (written by hand) reads as itself. */
export function parseStoredSetting(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
