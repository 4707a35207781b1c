import { AsyncLocalStorage } from 'node:async_hooks'
import type { PluginLog } from './plugin-log.ts'

/** The plugin load whose code runs: set around every entry into plugin code (import, load(), unload(), filters, actions, handlers, routes). */
export interface PluginContext {
  scopeId: number
  plugin: string
  version?: string
  log?: PluginLog
}

/** Which plugin load the running code belongs to; follows timers and promises the plugin starts. */
export const pluginContext = new AsyncLocalStorage<PluginContext>()
