import type { Logger } from '../log/create-logger.ts'
import type { GenerationEntry } from '../store/store-types.ts'
import { createHostRegistries, type HostRegistries } from './host-registries.ts'
import type { PluginLoad } from './load-plugin.ts'
import { cacheDirOf } from './materialize-bundle.ts'
import type { FrontendEntry, HostLoadReport, LoadPluginsOptions, LoadWarning } from './plugin-host.ts'

/** A plugin whose registrations apply: the generation entry it came from, its load and its frontend files. */
export interface LoadedPlugin {
  entry: GenerationEntry
  load: PluginLoad
  frontend: FrontendEntry | null
}

/**
 * What one plugin host keeps between calls. The host's modules (load-generation, reload-generation,
 * unload-all, guard-plugin-errors) share this one object and are the only ones that change it.
 */
export interface HostState {
  options: LoadPluginsOptions
  log: Logger | undefined
  timeoutMs: number
  cacheDir: string
  registries: HostRegistries
  active: Map<string, LoadedPlugin>
  reports: Map<string, HostLoadReport>
  /** Warnings a failed new version left while the old one kept running (--reload). */
  carried: Map<string, LoadWarning[]>
  lastLoad: Map<string, PluginLoad>
  listeners: Set<() => void>
  generationId: number | null
  /** The tail of the serialized passes (load, reload, unloadAll): one runs at a time. */
  chain: Promise<unknown>
}

export function createHostState(options: LoadPluginsOptions): HostState {
  return {
    options,
    log: options.logger?.child({ part: 'loader' }),
    timeoutMs: options.timeoutMs ?? 10_000,
    cacheDir: cacheDirOf(options.dataDir),
    registries: createHostRegistries(),
    active: new Map(),
    reports: new Map(),
    carried: new Map(),
    lastLoad: new Map(),
    listeners: new Set(),
    generationId: null,
    chain: Promise.resolve(),
  }
}

export function notifyListeners(state: HostState): void {
  for (const listener of state.listeners) {
    try {
      listener()
    } catch (error) {
      state.log?.warn({ err: error }, 'plugin host listener failed')
    }
  }
}

/** Rebuilds a plugin's report from its current (or last) load, keeping its status, plus the carried warnings. */
export function refreshReport(state: HostState, name: string): void {
  const loaded = state.active.get(name)
  const load = loaded?.load ?? state.lastLoad.get(name)
  if (!load) return
  state.reports.set(name, {
    plugin: name,
    version: loaded?.entry.version ?? load.plugin.version,
    status: loaded ? 'loaded' : (state.reports.get(name)?.status ?? 'failed'),
    durationMs: load.durationMs,
    warnings: [...load.scope.warnings(), ...(state.carried.get(name) ?? [])],
  })
}

/** A plugin added a warning after its load: its report changes, and listeners hear of it. */
export function onPluginWarning(state: HostState, name: string): void {
  refreshReport(state, name)
  notifyListeners(state)
}

export const reportOf = (load: PluginLoad, status: HostLoadReport['status']): HostLoadReport => ({
  plugin: load.plugin.name,
  version: load.plugin.version,
  status,
  durationMs: load.durationMs,
  warnings: load.scope.warnings(),
})

/** Runs fn after the host's previous pass settles (whether it failed or not). */
export function serialized<T>(state: HostState, fn: () => Promise<T>): Promise<T> {
  const run = state.chain.then(fn, fn)
  state.chain = run.catch(() => {})
  return run
}
