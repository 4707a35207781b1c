import { loadPlugins } from './create-plugin-host.ts'
import type { ActionEntry, EventTypeEntry, HookEntry, PluginHost, PluginJobEntry, QueryEntry } from './plugin-host.ts'
import type { Logger } from '../log/create-logger.ts'

/** The ids a thread's loaded plugins handle, reported to the worker's main thread (which claims only those). */
export interface RegisteredHandlerIds {
  eventTypes: string[]
  queries: string[]
  actions: string[]
}
import type { HostServices } from '../sdk/host-services.ts'
import type { StoreReader } from '../store/store-reader.ts'

/** What a handler thread needs from the loaded plugins. */
export interface PluginHandlers {
  readonly host: PluginHost
  eventType(id: string): EventTypeEntry | undefined
  query(id: string): QueryEntry | undefined
  action(uid: string): ActionEntry | undefined
  /** The jobs.schedule handler behind a plugin job's event type. */
  pluginJob(type: string): PluginJobEntry | undefined
  /** The hooks.on handlers behind a hook delivery's event type (a plugin may have several per hook). */
  hooks(type: string): HookEntry[]
  /** eventTypes includes the event types of plugin jobs and hook deliveries: what this thread can claim. */
  ids(): RegisteredHandlerIds
}

/**
 * Loads a generation's plugins in this thread, with HostServices over the
 * thread's own runtime.db connection, and answers by id what they registered.
 */
export async function loadPluginHandlers(options: {
  dataDir: string
  generation: number | null
  /** The plugin store and bundle fetcher (LoadPluginsOptions); absent: plugins.db in dataDir. */
  store?: StoreReader | null
  bundleDir?: (sha256: string) => Promise<string>
  services: HostServices
  loadTimeoutMs: number
  logger: Logger
}): Promise<PluginHandlers> {
  const host = await loadPlugins({
    generation: options.generation,
    store: options.store,
    bundleDir: options.bundleDir,
    dataDir: options.dataDir,
    services: options.services,
    timeoutMs: options.loadTimeoutMs,
    logger: options.logger,
  })
  return pluginHandlersOf(host)
}

/** What a loaded plugin host registered, by id, as job runners look it up. */
export function pluginHandlersOf(host: PluginHost): PluginHandlers {
  return {
    host,
    eventType: (id) => host.eventTypes.get(id),
    query: (id) => host.queries.get(id),
    action: (uid) => host.actions.get(uid),
    pluginJob: (type) => host.jobs.get(type),
    hooks: (type) => host.hooks.entries().filter((h) => h.type === type),
    ids: () => ({
      eventTypes: [...host.eventTypes.ids(), ...host.jobs.ids(), ...new Set(host.hooks.entries().map((h) => h.type))],
      queries: host.queries.ids(),
      actions: host.actions.ids(),
    }),
  }
}
