import type { RegisteredSummary, SettingConfig } from '../loader/plugin-host.ts'
import type { StoreReader } from '../store/store-reader.ts'

export interface RegisteredIds {
  generation: number | null
  queries: Set<string>
  actions: Set<string>
  eventTypes: Set<string>
  /** False when no plugin of the generation recorded what it registered: nothing can be checked. */
  known: boolean
  /** What `app bots apply` checks bot settings against. settingsConfig null: free-form or not recorded (published before it was). */
  filterSpecs?: Map<string, { plugin: string; supportedResources: string[]; settingsConfig: SettingConfig[] | null }>
  actionSpecs?: Map<string, { plugin: string; settingsConfig: SettingConfig[] | null }>
}

/**
 * The filter, action and event type ids the current generation's plugins
 * registered, from what the scheduler's dry run recorded per plugin version.
 */
export async function registeredIds(store: StoreReader): Promise<RegisteredIds> {
  const generation = await store.currentGeneration()
  // An empty generation is fully known: every id is unknown.
  const out: RegisteredIds = {
    generation: generation?.id ?? null,
    queries: new Set(),
    actions: new Set(),
    eventTypes: new Set(),
    known: generation?.plugins.length === 0,
    filterSpecs: new Map(),
    actionSpecs: new Map(),
  }
  for (const plugin of generation?.plugins ?? []) {
    const registered = plugin.registered as Partial<RegisteredSummary> | null
    if (!registered || plugin.status === 'error') continue
    out.known = true
    for (const f of registered.filters ?? []) out.queries.add(f.queryId)
    for (const a of registered.actions ?? []) out.actions.add(a.uid)
    for (const f of registered.filters ?? [])
      out.filterSpecs!.set(f.queryId, {
        plugin: plugin.name,
        supportedResources: f.supportedResources ?? [],
        settingsConfig: f.settingsConfig ?? null,
      })
    for (const a of registered.actions ?? []) out.actionSpecs!.set(a.uid, { plugin: plugin.name, settingsConfig: a.settingsConfig ?? null })
    for (const e of registered.eventTypes ?? []) out.eventTypes.add(e)
  }
  return out
}
