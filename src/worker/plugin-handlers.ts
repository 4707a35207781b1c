import { loadPlugins } from '../loader/create-plugin-host.ts'
import type { ActionEntry, EventTypeEntry, PluginHost, QueryEntry } from '../loader/plugin-host.ts'
import type { Logger } from '../log/create-logger.ts'
import type { HostServices } from '../sdk/host-services.ts'
import type { RegisteredHandlerIds } from './handler-protocol.ts'

/** What a handler thread needs from the loaded plugins. */
export interface PluginHandlers {
  readonly host: PluginHost
  eventType(id: string): EventTypeEntry | undefined
  query(id: string): QueryEntry | undefined
  action(uid: string): ActionEntry | undefined
  ids(): RegisteredHandlerIds
}

/**
 * Loads a generation's plugins in this thread, with HostServices over the
 * thread's own runtime.db connection, and answers by id what they registered.
 */
export async function loadPluginHandlers(options: { dataDir: string; generation: number | null; services: HostServices; loadTimeoutMs: number; logger: Logger }): Promise<PluginHandlers> {
  const host = await loadPlugins({ generation: options.generation, dataDir: options.dataDir, services: options.services, timeoutMs: options.loadTimeoutMs, logger: options.logger })
  return {
    host,
    eventType: (id) => host.eventTypes.get(id),
    query: (id) => host.queries.get(id),
    action: (uid) => host.actions.get(uid),
    ids: () => ({ eventTypes: host.eventTypes.ids(), queries: host.queries.ids(), actions: host.actions.ids() }),
  }
}
