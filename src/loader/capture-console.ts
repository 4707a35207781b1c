import { format, inspect } from 'node:util'
import type { PluginLog } from './plugin-log.ts'

/** console methods that plugin code may call, and the log level each becomes. */
const LEVEL = { log: 'info', info: 'info', debug: 'debug', trace: 'debug', dir: 'info', warn: 'warn', error: 'error' } as const

let installed = false

/**
 * Sends console.* calls made by plugin code to that plugin's logger (JSON
 * lines tagged with plugin and version) instead of untagged text on stdout;
 * calls from anything else go to the console as before. `logOfCaller` says
 * whose code is calling (module-hooks.ts: the plugin file on the stack, else
 * the plugin context). Installed once per thread, when the first plugin loads.
 */
export function captureConsole(logOfCaller: () => PluginLog | null): void {
  if (installed) return
  installed = true
  const target = console as unknown as Record<string, (...args: unknown[]) => void>
  for (const [method, level] of Object.entries(LEVEL)) {
    const original = target[method]
    if (typeof original !== 'function') continue
    target[method] = function captured(...args: unknown[]) {
      const log = logOfCaller()
      if (!log) return original.apply(console, args)
      let msg = method === 'dir' ? inspect(args[0], args[1] as object) : format(...args)
      if (method === 'trace') msg = `Trace: ${msg}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}`
      log[level]({ console: method }, msg)
    }
  }
}
