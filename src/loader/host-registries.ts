import type { ActionEntry, BlueprintEntry, EventTypeEntry, HookEntry, PluginJobEntry, QueryEntry, RegistryView } from './plugin-host.ts'

/** One uid held by one plugin load; `lose` tells the holder a plugin earlier in name order took it. */
export interface Holding<T> {
  plugin: string
  scopeId: number
  value: T
  lose(by: string): void
}

/** uid -> holder. `set` returns the removal, which removes only that holding (not a later one). */
export function createUidRegistry<T>() {
  const byId = new Map<string, Holding<T>>()
  const view: RegistryView<T> = {
    get: (id) => byId.get(id)?.value,
    ids: () => [...byId.keys()].sort(),
    entries: () => [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, h]) => h.value),
  }
  return {
    view,
    holder: (id: string) => byId.get(id),
    set(id: string, holding: Holding<T>): () => void {
      byId.set(id, holding)
      return () => {
        if (byId.get(id) === holding) byId.delete(id)
      }
    },
    heldBy: (scopeId: number) => [...byId.entries()].filter(([, h]) => h.scopeId === scopeId).map(([id]) => id),
  }
}

export type UidRegistry<T> = ReturnType<typeof createUidRegistry<T>>

/** The registries of one host; every registration in them names its owner plugin. */
export function createHostRegistries() {
  const blueprints: Array<BlueprintEntry & { scopeId: number }> = []
  return {
    filter: createUidRegistry<QueryEntry>(),
    action: createUidRegistry<ActionEntry>(),
    eventType: createUidRegistry<EventTypeEntry>(),
    // uids of jobs and hooks start with the plugin's name: they never clash across plugins.
    job: createUidRegistry<PluginJobEntry>(),
    hook: createUidRegistry<HookEntry>(),
    blueprints,
    addBlueprint(entry: BlueprintEntry & { scopeId: number }): () => void {
      blueprints.push(entry)
      return () => {
        const i = blueprints.indexOf(entry)
        if (i >= 0) blueprints.splice(i, 1)
      }
    },
  }
}

export type HostRegistries = ReturnType<typeof createHostRegistries>
export type UidKind = 'filter' | 'action' | 'eventType' | 'job' | 'hook'
