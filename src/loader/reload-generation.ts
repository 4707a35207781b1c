import type { StoreReader } from '../store/store-reader.ts'
import type { Generation, GenerationEntry } from '../store/store-types.ts'
import { notifyListeners, refreshReport, reportOf, type HostState, type LoadedPlugin } from './host-state.ts'
import { loadEntry } from './load-entry.ts'
import { unloadPlugin, type PluginLoad } from './load-plugin.ts'
import { saveModuleFormats } from './module-hooks.ts'
import type { ReloadResult } from './plugin-host.ts'
import { resolveGeneration, withHostStore } from './with-host-store.ts'

/** --reload: moves the host to generation g, touching only the plugins whose version changed. */
export async function reloadGeneration(state: HostState, g: Generation | number): Promise<ReloadResult> {
  const result: ReloadResult = { generation: null, loaded: [], unloaded: [], failed: [] }
  await withHostStore(state.options, async (store) => {
    const next = (await resolveGeneration(g, store))!
    result.generation = next.id
    const entries = new Map(next.plugins.map((p) => [p.name, p]))
    const names = [...new Set([...state.active.keys(), ...state.reports.keys(), ...entries.keys()])].sort()
    for (const name of names) await reloadPlugin(state, name, entries.get(name), store, result)
  })
  saveModuleFormats(state.cacheDir)
  state.generationId = result.generation
  state.log?.info(
    { generation: result.generation, loaded: result.loaded, unloaded: result.unloaded, failed: result.failed },
    'plugins reloaded',
  )
  notifyListeners(state)
  return result
}

/** One plugin of a reload; entry is its version in the new generation (none: it was removed). */
async function reloadPlugin(
  state: HostState,
  name: string,
  entry: GenerationEntry | undefined,
  store: () => Promise<StoreReader>,
  result: ReloadResult,
): Promise<void> {
  const { active, reports } = state
  const current = active.get(name)
  if (current && entry && current.entry.id === entry.id) return
  if (!entry || entry.status === 'error') return dropPlugin(state, name, entry, current, result)
  if (
    !current &&
    reports.get(name)?.version === entry.version &&
    reports.get(name)?.status === 'failed' &&
    state.lastLoad.get(name)?.dir.endsWith(entry.bundleSha256)
  )
    return // same failed version
  const { load, frontend } = await loadEntry(state, entry, store)
  if (load?.ok) {
    // The new version loaded (staged): now the old one goes, then the new one's registrations apply.
    if (current) {
      await unloadPlugin(current.load, state.timeoutMs)
      result.unloaded.push(name)
    }
    load.scope.commit()
    active.set(name, { entry, load, frontend })
    state.carried.delete(name)
    reports.set(name, reportOf(load, 'loaded'))
    result.loaded.push(name)
    return
  }
  result.failed.push(name)
  if (current) keepOldVersion(state, name, entry, current, load)
  else if (load) reports.set(name, reportOf(load, 'failed'))
}

/** The plugin left the generation, or its new version is in error: unload what runs and report it skipped or unloaded. */
async function dropPlugin(
  state: HostState,
  name: string,
  entry: GenerationEntry | undefined,
  current: LoadedPlugin | undefined,
  result: ReloadResult,
): Promise<void> {
  if (current) {
    await unloadPlugin(current.load, state.timeoutMs)
    state.active.delete(name)
    result.unloaded.push(name)
  }
  state.carried.delete(name)
  if (entry) state.reports.set(name, { plugin: name, version: entry.version, status: 'skipped', durationMs: null, warnings: [] })
  else if (current)
    state.reports.set(name, reportOf(current.load, 'unloaded')) // keeps what unloading it found (UNLOAD_LEAK)
  else state.reports.delete(name)
}

/** A failed update keeps the old version running, and says so: the new version's warnings are carried on the old one's report. */
function keepOldVersion(state: HostState, name: string, entry: GenerationEntry, current: LoadedPlugin, load: PluginLoad | null): void {
  const failedWarnings = load?.scope.warnings() ?? state.reports.get(name)?.warnings ?? []
  state.carried.set(
    name,
    failedWarnings.map((w) => ({
      ...w,
      severity: w.severity === 'error' ? 'warning' : w.severity,
      message: `version ${entry.version} failed to load, so ${current.entry.version} keeps running: ${w.message}`,
    })),
  )
  state.lastLoad.set(name, current.load)
  refreshReport(state, name)
}
