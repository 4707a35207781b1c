import { startHandleTracking } from './handle-tracker.ts'
import { guardPluginErrors } from './guard-plugin-errors.ts'
import { createHostState, serialized } from './host-state.ts'
import { loadGeneration } from './load-generation.ts'
import type { BlueprintEntry, LoadPluginsOptions, PluginHost } from './plugin-host.ts'
import { reloadGeneration } from './reload-generation.ts'
import { summarizeRegistrations } from './summarize-registrations.ts'
import { unloadAll } from './unload-all.ts'

/**
 * The implementation behind loadPlugins() (plugin-host.ts documents the API). The host's mutable state is
 * one HostState (host-state.ts); loading, reloading, unloading and the process guard are modules that
 * take it, and every pass that changes it runs serialized.
 */
export async function createPluginHost(options: LoadPluginsOptions): Promise<PluginHost> {
  const state = createHostState(options)
  const { registries, active, reports, listeners } = state
  if (options.trackHandles) startHandleTracking()
  if (options.guardProcess !== false) guardPluginErrors(state)

  await serialized(state, () => loadGeneration(state, options.generation))

  return {
    get generation() {
      return state.generationId
    },
    reports: () => sortByPlugin([...reports.values()]).map((r) => ({ ...r, warnings: [...r.warnings] })),
    queries: registries.filter.view,
    actions: registries.action.view,
    eventTypes: registries.eventType.view,
    jobs: registries.job.view,
    hooks: registries.hook.view,
    blueprints: () =>
      registries.blueprints
        .map(({ plugin, version, app, public: open, enter }): BlueprintEntry => ({ plugin, version, app, public: open, enter }))
        .sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0)),
    frontend: () =>
      [...active.values()]
        .filter((l) => l.frontend?.files.length)
        .map((l) => l.frontend!)
        .sort((a, b) => (a.plugin < b.plugin ? -1 : 1)),
    registered(plugin) {
      const loaded = active.get(plugin)
      return loaded ? summarizeRegistrations(loaded.load.scope, loaded.entry.manifest) : null
    },
    plugins: () =>
      [...active.values()]
        .map((l) => ({
          plugin: l.entry.name,
          version: l.entry.version,
          versionId: l.entry.id,
          sha256: l.entry.bundleSha256,
          dir: l.load.dir,
        }))
        .sort((a, b) => (a.plugin < b.plugin ? -1 : 1)),
    reload: (g) => serialized(state, () => reloadGeneration(state, g)),
    onChange(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    unloadAll: () => serialized(state, () => unloadAll(state)),
  }
}

const sortByPlugin = <T extends { plugin: string }>(list: T[]) =>
  list.sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0))

/** Loads a generation's plugins in name order into this thread. Never throws for a plugin's fault: that is a report. */
export const loadPlugins = (options: LoadPluginsOptions): Promise<PluginHost> => createPluginHost(options)
