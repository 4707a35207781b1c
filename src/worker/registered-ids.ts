import type { RegisteredSummary } from '../loader/plugin-host.ts'
import type { StoreReader } from '../store/store-reader.ts'

export interface RegisteredIds {
  generation: number | null
  queries: Set<string>
  actions: Set<string>
  eventTypes: Set<string>
  /** False when no plugin of the generation recorded what it registered: nothing can be checked. */
  known: boolean
}

/**
 * The filter, action and event type ids the current generation's plugins
 * registered, from what the scheduler's dry run recorded per plugin version.
 */
export async function registeredIds(store: StoreReader): Promise<RegisteredIds> {
  const generation = await store.currentGeneration()
  // An empty generation is fully known: every id is unknown.
  const out: RegisteredIds = { generation: generation?.id ?? null, queries: new Set(), actions: new Set(), eventTypes: new Set(), known: generation?.plugins.length === 0 }
  for (const plugin of generation?.plugins ?? []) {
    const registered = plugin.registered as Partial<RegisteredSummary> | null
    if (!registered || plugin.status === 'error') continue
    out.known = true
    for (const f of registered.filters ?? []) out.queries.add(f.queryId)
    for (const a of registered.actions ?? []) out.actions.add(a.uid)
    for (const e of registered.eventTypes ?? []) out.eventTypes.add(e)
  }
  return out
}
