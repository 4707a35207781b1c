import { AsyncLocalStorage } from 'node:async_hooks'

/** Which plugin load the running code belongs to; follows timers and promises the plugin starts. */
export const pluginContext = new AsyncLocalStorage<{ scopeId: number; plugin: string }>()
