import type { ProcessInfo } from '../runtime/process-registry.ts'
import { declaredSettings } from '../settings/setting-declaration.ts'
import { settingsProblemMessage, settingsState } from '../settings/settings-state.ts'
import type { SettingsPort, StoredSetting } from '../settings/settings-port.ts'
import type { GenerationEntry } from '../store/store-types.ts'
import type { StoredWarning } from './stored-warning.ts'

/**
 * SETTINGS_INVALID of each published plugin whose declared settings are
 * unset though required, or hold a value of the wrong type. Worked out from
 * the manifest and the stored values whenever the report is built, so it appears as
 * soon as the plugin is published and loaded, and goes the moment
 * `app plugins settings <name> set` fixes it: no process has to reload or
 * clear anything. `where` names the live processes that loaded the plugin
 * (`loads`: the load reports). The values are read only when a plugin declares settings.
 */
export async function settingsWarnings(
  settings: Pick<SettingsPort, 'readAll'>,
  loads: Array<SettingsLoad & { status: string }>,
  entries: GenerationEntry[],
  live: Map<string, ProcessInfo>,
  generation: number | null,
): Promise<StoredWarning[]> {
  if (!entries.some(declares)) return []
  const loaded = loads.filter((l) => l.status === 'loaded')
  return settingsWarningsOf(await settings.readAll(), loaded, entries, live, generation)
}

/** Where a plugin is loaded: the processes that `where` names. */
export interface SettingsLoad {
  processId: string
  plugin: string
}

const declares = (e: GenerationEntry) => e.status !== 'error' && declaredSettings(e.manifest).length > 0

/** The same from what the caller read (through the runtime ports, on either backend). */
export function settingsWarningsOf(
  stored: Map<string, Map<string, StoredSetting>>,
  loads: SettingsLoad[],
  entries: GenerationEntry[],
  live: Map<string, ProcessInfo>,
  generation: number | null,
): StoredWarning[] {
  const declaring = entries.filter(declares)
  if (!declaring.length) return []
  const places = new Map<string, string[]>()
  for (const row of loads) {
    const proc = live.get(row.processId)
    if (proc) places.set(row.plugin, [...(places.get(row.plugin) ?? []), `${proc.role}@${proc.host}:${proc.pid}`])
  }
  const out: StoredWarning[] = []
  for (const e of declaring) {
    const declarations = declaredSettings(e.manifest)
    const values = stored.get(e.name) ?? new Map()
    const state = settingsState(declarations, values)
    const message = settingsProblemMessage(e.name, declarations, state)
    if (!message) continue
    const changed = [...values.values()]
      .map((v) => v.updatedAt)
      .sort()
      .at(-1)
    const lastSeen = changed && changed > e.publishedAt ? changed : e.publishedAt
    const detail = [
      ...state.missing.map((k) => `${k}: required, not set`),
      ...state.invalid.map((p) => `${p.key}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`),
    ].join('\n')
    out.push({
      code: 'SETTINGS_INVALID',
      severity: 'warning',
      plugin: e.name,
      version: e.version,
      message,
      detail,
      where: places.get(e.name) ?? ['settings'],
      generation,
      firstSeen: e.publishedAt,
      lastSeen,
      count: 1,
    })
  }
  return out
}
