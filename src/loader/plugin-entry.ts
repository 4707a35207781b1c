/** Runs fn as code of one plugin load: inside its plugin context (pluginContext.run). */
export type EnterPlugin = <T>(fn: () => T) => T

/** The functions in a registration that host code calls into: a filter's or action's fn, an event type's run, a job's or hook's handler. */
const ENTRY_KEYS = ['fn', 'run', 'handler'] as const

/**
 * A registration whose entry points run in the registering plugin's
 * context, whoever calls them (the bot runner, the job runner, a test host),
 * so console calls, errors that escape and handles the plugin starts from
 * there are its own; `enter` does the same for entries the host calls
 * itself (a blueprint's fetch).
 */
export function withPluginEntry<T extends object>(value: T, enter: EnterPlugin): T & { enter: EnterPlugin } {
  const out: Record<string, unknown> = { ...value, enter }
  for (const key of ENTRY_KEYS) {
    const fn = out[key]
    if (typeof fn !== 'function') continue
    out[key] = function (this: unknown, ...args: unknown[]) {
      return enter(() => (fn as (...a: unknown[]) => unknown).apply(this, args))
    }
  }
  return out as T & { enter: EnterPlugin }
}
