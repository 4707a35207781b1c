import type { ProcessInfo, StoredLoadReport } from '../runtime/process-info.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Generation } from '../store/store-types.ts'
import { compareText } from './compare-text.ts'

/** One plugin a process runs otherwise than the store's generation: null when it runs none, or the store has none to load. */
export interface PluginChange {
  plugin: string
  running: string | null
  current: string | null
  /** Same version number, other files (republished without a version bump). */
  contentChanged?: boolean
}

/** A live worker or web whose restart would change what it runs, and what would change. */
export interface RestartNeed {
  process: ProcessInfo
  changes: PluginChange[]
  /** The generation it loaded is no longer kept, so what it runs is not known in detail. */
  unknown: boolean
}

interface Loaded {
  version: string | null
  status: string
}

/**
 * Which processes need a restart: a live worker or web whose loaded plugins
 * (its load reports, `loads`, else the generation it loaded) differ
 * from the current generation's loadable ones, version or content. A
 * generation that changed nothing such a process runs (one that only added a
 * rejected update, say) needs no restart; a plugin that failed to load there at
 * the store's version is not counted, since a restart would not change it.
 */
export async function restartGuidance(
  store: Pick<StoreReader, 'generation'>,
  loads: Array<Pick<StoredLoadReport, 'processId' | 'plugin' | 'version' | 'status'>>,
  processes: ProcessInfo[],
  current: Generation | null,
): Promise<RestartNeed[]> {
  if (!current) return []
  const candidates = processes.filter((p) => p.live && p.role !== 'scheduler' && p.generation !== null && p.generation !== current.id)
  if (!candidates.length) return []
  const reports = new Map<string, Map<string, Loaded>>()
  for (const r of loads) {
    if (!reports.has(r.processId)) reports.set(r.processId, new Map())
    reports.get(r.processId)!.set(r.plugin, { version: r.version, status: r.status })
  }
  const generations = new Map<number, Promise<Generation | null>>()
  const generationOf = (id: number) => generations.get(id) ?? generations.set(id, store.generation(id)).get(id)!
  const out: RestartNeed[] = []
  for (const p of candidates) {
    const need = compare(p, reports.get(p.id) ?? new Map(), await generationOf(p.generation!), current)
    if (need.unknown || need.changes.length) out.push(need)
  }
  return out
}

function compare(p: ProcessInfo, loads: Map<string, Loaded>, loadedGeneration: Generation | null, current: Generation): RestartNeed {
  const there = new Map(loadedGeneration?.plugins.map((e) => [e.name, e]))
  const running = new Map<string, { version: string | null; sha: string | null }>()
  if (loads.size) {
    for (const [name, l] of loads) {
      const e = there.get(name)
      if (l.status === 'loaded')
        running.set(name, { version: l.version ?? e?.version ?? null, sha: e && e.version === l.version ? e.bundleSha256 : null })
    }
  } else if (loadedGeneration) {
    for (const e of loadedGeneration.plugins) if (e.status !== 'error') running.set(e.name, { version: e.version, sha: e.bundleSha256 })
  } else {
    return { process: p, changes: [], unknown: true }
  }
  const changes: PluginChange[] = []
  const loadable = current.plugins.filter((e) => e.status !== 'error')
  for (const c of loadable) {
    const r = running.get(c.name)
    if (!r) {
      const failed = loads.get(c.name)
      if (!(failed && failed.status === 'failed' && failed.version === c.version))
        changes.push({ plugin: c.name, running: null, current: c.version })
    } else if (r.version !== c.version) changes.push({ plugin: c.name, running: r.version, current: c.version })
    else if (r.sha && r.sha !== c.bundleSha256)
      changes.push({ plugin: c.name, running: r.version, current: c.version, contentChanged: true })
  }
  const names = new Set(loadable.map((c) => c.name))
  for (const [name, r] of running) if (!names.has(name)) changes.push({ plugin: name, running: r.version, current: null })
  return { process: p, changes: changes.sort((a, b) => compareText(a.plugin, b.plugin)), unknown: false }
}

/** "ops-banner 1.0.0 → 1.1.0", "ops-banner 1.0.0 → removed", "new-plugin 1.0.0 (new)". */
export function changeText(c: PluginChange): string {
  if (c.contentChanged) return `${c.plugin} ${c.running} (files changed)`
  if (c.running === null) return `${c.plugin} ${c.current} (new)`
  if (c.current === null) return `${c.plugin} ${c.running} → removed`
  return `${c.plugin} ${c.running} → ${c.current}`
}
