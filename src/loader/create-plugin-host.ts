import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openReadonlyStore, type Store } from '../store/open-store.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Bundle, Generation, GenerationEntry } from '../store/store-types.ts'
import { startHandleTracking } from './handle-tracker.ts'
import { createHostRegistries } from './host-registries.ts'
import { loadPlugin, unloadPlugin, type PluginLoad } from './load-plugin.ts'
import { cacheDirOf, materializeBundle } from './materialize-bundle.ts'
import type { BlueprintEntry, FrontendEntry, HostLoadReport, LoadPluginsOptions, LoadWarning, PluginHost, ReloadResult } from './plugin-host.ts'
import { saveModuleFormats } from './module-hooks.ts'
import { guardProcess } from './guard-process.ts'
import { summarizeRegistrations } from './summarize-registrations.ts'
import { createWarningBook } from './warning-book.ts'
import { describeError } from './with-timeout.ts'

interface Loaded { entry: GenerationEntry; load: PluginLoad; frontend: FrontendEntry | null }

/** The implementation behind loadPlugins() (plugin-host.ts documents the API). */
export async function createPluginHost(options: LoadPluginsOptions): Promise<PluginHost> {
  const log = options.logger?.child({ part: 'loader' })
  const timeoutMs = options.timeoutMs ?? 10_000
  const cacheDir = cacheDirOf(options.dataDir)
  const registries = createHostRegistries()
  const active = new Map<string, Loaded>()
  const reports = new Map<string, HostLoadReport>()
  /** Warnings a failed new version left while the old one kept running (--reload). */
  const carried = new Map<string, LoadWarning[]>()
  const lastLoad = new Map<string, PluginLoad>()
  const listeners = new Set<() => void>()
  let generationId: number | null = null
  let chain: Promise<unknown> = Promise.resolve()

  const notify = () => {
    for (const listener of listeners) {
      try { listener() } catch (error) { log?.warn({ err: error }, 'plugin host listener failed') }
    }
  }
  const refresh = (name: string) => {
    const loaded = active.get(name)
    const load = loaded?.load ?? lastLoad.get(name)
    if (!load) return
    reports.set(name, {
      plugin: name, version: loaded?.entry.version ?? load.plugin.version, status: loaded ? 'loaded' : reports.get(name)?.status ?? 'failed',
      durationMs: load.durationMs, warnings: [...load.scope.warnings(), ...(carried.get(name) ?? [])],
    })
  }
  const onWarning = (name: string) => { refresh(name); notify() }

  if (options.trackHandles) startHandleTracking()
  if (options.guardProcess !== false) {
    guardProcess((plugin, kind, error) => {
      const load = active.get(plugin)?.load ?? lastLoad.get(plugin)
      if (!load) return false
      const e = describeError(error)
      log?.warn({ plugin, err: error }, `${kind} in plugin code; the process keeps running`)
      load.scope.warn({ code: 'UNHANDLED_ERROR', severity: 'warning', message: `plugin "${plugin}": ${kind} escaped plugin code: ${e.message}. The process kept running; catch errors inside the plugin (await its promises, try/catch in callbacks).`, detail: e.detail })
      onWarning(plugin)
      return true
    })
  }

  /** plugins.db for one pass: the caller's, or a read-only connection opened on first need and closed after. */
  async function withStore<T>(fn: (store: () => Promise<StoreReader>) => Promise<T>): Promise<T> {
    if (options.store) return fn(async () => options.store!)
    let opened: Store | null = null
    try {
      return await fn(async () => (opened ??= await openReadonlyStore(options.dataDir, { waitMs: 0 })))
    } finally {
      await (opened as Store | null)?.close()
    }
  }

  async function resolveGeneration(g: Generation | number | null, store: () => Promise<StoreReader>): Promise<Generation | null> {
    if (g === null || typeof g === 'object') return g
    const found = await (await store()).generation(g)
    if (!found) throw new Error(`generation ${g} is not in the plugin store (it may have been pruned); load the current generation instead`)
    return found
  }

  /** Materializes (or reuses) the bundle and imports and loads the plugin; its registrations stay staged. */
  async function loadEntry(entry: GenerationEntry, store: () => Promise<StoreReader>): Promise<{ load: PluginLoad | null; frontend: FrontendEntry | null }> {
    let dir = join(cacheDir, entry.bundleSha256)
    const frontendPaths = Array.isArray(entry.manifest.frontend) ? (entry.manifest.frontend as string[]) : []
    let bundle: Bundle | null = null
    try {
      if (!existsSync(dir) || frontendPaths.length) {
        const s = await store()
        bundle = await s.bundle(entry.bundleSha256)
        if (!bundle) throw new Error(`bundle ${entry.bundleSha256} is not in the plugin store`)
        dir = await materializeBundle(cacheDir, bundle, (sha) => s.blob(sha))
      }
    } catch (error) {
      const book = createWarningBook(entry.name, entry.version)
      const e = describeError(error)
      book.add({ code: /hash|match/.test(e.message) ? 'CHECKSUM_MISMATCH' : 'IMPORT_FAILED', severity: 'error', message: `plugin "${entry.name}": its files could not be written to ${cacheDir}: ${e.message}`, detail: e.detail })
      reports.set(entry.name, { plugin: entry.name, version: entry.version, status: 'failed', durationMs: null, warnings: book.list() })
      log?.warn({ plugin: entry.name, err: error }, 'plugin files could not be materialized; not loaded')
      return { load: null, frontend: null }
    }
    const load = await loadPlugin({
      plugin: { name: entry.name, version: entry.version, manifest: entry.manifest }, dir, cacheDir, registries,
      services: options.services, timeoutMs, onWarning: () => onWarning(entry.name), logger: options.logger,
    })
    lastLoad.set(entry.name, load)
    const files = new Map(bundle?.files.map((f) => [f.path, f]))
    const frontend = frontendPaths.length
      ? { plugin: entry.name, version: entry.version, sha256: entry.bundleSha256, files: frontendPaths.filter((p) => files.has(p)).map((p) => ({ path: p, file: join(dir, p), sha256: files.get(p)!.sha256, size: files.get(p)!.size })) }
      : null
    if (!load.ok) {
      const first = load.scope.warnings().find((w) => w.severity === 'error')
      log?.warn({ plugin: entry.name, version: entry.version, code: first?.code }, first?.message ?? 'plugin not loaded')
    }
    return { load, frontend }
  }

  const reportOf = (load: PluginLoad, status: HostLoadReport['status']): HostLoadReport =>
    ({ plugin: load.plugin.name, version: load.plugin.version, status, durationMs: load.durationMs, warnings: load.scope.warnings() })

  async function loadGeneration(g: Generation | number | null): Promise<void> {
    const started = performance.now()
    await withStore(async (store) => {
      const generation = await resolveGeneration(g, store)
      generationId = generation?.id ?? null
      for (const entry of sortByName(generation?.plugins ?? [])) {
        if (entry.status === 'error') {
          reports.set(entry.name, { plugin: entry.name, version: entry.version, status: 'skipped', durationMs: null, warnings: [] })
          continue
        }
        const { load, frontend } = await loadEntry(entry, store)
        if (!load) continue
        if (load.ok) {
          load.scope.commit()
          active.set(entry.name, { entry, load, frontend })
        }
        reports.set(entry.name, reportOf(load, load.ok ? 'loaded' : 'failed'))
      }
    })
    saveModuleFormats(cacheDir)
    const counts = { loaded: 0, failed: 0, skipped: 0 }
    for (const r of reports.values()) if (r.status in counts) counts[r.status as keyof typeof counts]++
    log?.info({ generation: generationId, ...counts, ms: Math.round(performance.now() - started) }, 'plugins loaded')
  }

  async function reload(g: Generation | number): Promise<ReloadResult> {
    const result: ReloadResult = { generation: null, loaded: [], unloaded: [], failed: [] }
    await withStore(async (store) => {
      const next = (await resolveGeneration(g, store))!
      result.generation = next.id
      const entries = new Map(next.plugins.map((p) => [p.name, p]))
      const names = [...new Set([...active.keys(), ...reports.keys(), ...entries.keys()])].sort()
      for (const name of names) {
        const entry = entries.get(name)
        const current = active.get(name)
        if (current && entry && current.entry.id === entry.id) continue
        if (!entry || entry.status === 'error') {
          if (current) {
            await unloadPlugin(current.load, timeoutMs)
            active.delete(name)
            result.unloaded.push(name)
          }
          carried.delete(name)
          if (entry) reports.set(name, { plugin: name, version: entry.version, status: 'skipped', durationMs: null, warnings: [] })
          else if (current) reports.set(name, reportOf(current.load, 'unloaded')) // keeps what unloading it found (UNLOAD_LEAK)
          else reports.delete(name)
          continue
        }
        if (!current && reports.get(name)?.version === entry.version && reports.get(name)?.status === 'failed' && lastLoad.get(name)?.dir.endsWith(entry.bundleSha256)) continue // same failed version
        const { load, frontend } = await loadEntry(entry, store)
        if (load?.ok) {
          // The new version loaded (staged): now the old one goes, then the new one's registrations apply.
          if (current) {
            await unloadPlugin(current.load, timeoutMs)
            result.unloaded.push(name)
          }
          load.scope.commit()
          active.set(name, { entry, load, frontend })
          carried.delete(name)
          reports.set(name, reportOf(load, 'loaded'))
          result.loaded.push(name)
          continue
        }
        result.failed.push(name)
        if (current) {
          // A failed update keeps the old version running, and says so.
          const failedWarnings = load?.scope.warnings() ?? reports.get(name)?.warnings ?? []
          carried.set(name, failedWarnings.map((w) => ({ ...w, severity: w.severity === 'error' ? 'warning' : w.severity, message: `version ${entry.version} failed to load, so ${current.entry.version} keeps running: ${w.message}` })))
          lastLoad.set(name, current.load)
          refresh(name)
        } else if (load) {
          reports.set(name, reportOf(load, 'failed'))
        }
      }
    })
    saveModuleFormats(cacheDir)
    generationId = result.generation
    log?.info({ generation: result.generation, loaded: result.loaded, unloaded: result.unloaded, failed: result.failed }, 'plugins reloaded')
    notify()
    return result
  }

  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn)
    chain = run.catch(() => {})
    return run
  }

  await serialized(() => loadGeneration(options.generation))

  return {
    get generation() { return generationId },
    reports: () => sortByPlugin([...reports.values()]).map((r) => ({ ...r, warnings: [...r.warnings] })),
    queries: registries.filter.view,
    actions: registries.action.view,
    eventTypes: registries.eventType.view,
    jobs: registries.job.view,
    hooks: registries.hook.view,
    blueprints: () => registries.blueprints.map(({ plugin, version, app, public: open, enter }): BlueprintEntry => ({ plugin, version, app, public: open, enter })).sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0)),
    frontend: () => [...active.values()].filter((l) => l.frontend?.files.length).map((l) => l.frontend!).sort((a, b) => (a.plugin < b.plugin ? -1 : 1)),
    registered(plugin) {
      const loaded = active.get(plugin)
      return loaded ? summarizeRegistrations(loaded.load.scope, loaded.entry.manifest) : null
    },
    plugins: () => [...active.values()].map((l) => ({ plugin: l.entry.name, version: l.entry.version, versionId: l.entry.id, sha256: l.entry.bundleSha256, dir: l.load.dir })).sort((a, b) => (a.plugin < b.plugin ? -1 : 1)),
    reload: (g) => serialized(() => reload(g)),
    onChange(listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    unloadAll: () => serialized(async () => {
      for (const name of [...active.keys()].sort().reverse()) {
        const loaded = active.get(name)!
        await unloadPlugin(loaded.load, timeoutMs)
        active.delete(name)
        reports.set(name, reportOf(loaded.load, 'unloaded'))
      }
    }),
  }
}

const sortByName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
const sortByPlugin = <T extends { plugin: string }>(list: T[]) => list.sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0))

/** Loads a generation's plugins in name order into this thread. Never throws for a plugin's fault: that is a report. */
export const loadPlugins = (options: LoadPluginsOptions): Promise<PluginHost> => createPluginHost(options)
