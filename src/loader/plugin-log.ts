import { createJsonLogger } from '../log/create-json-logger.ts'
import type { Logger } from '../log/create-logger.ts'

/** The SDK's `log`: JSON lines of the process's logger, tagged with the plugin and its version. */
export interface PluginLog {
  debug(objOrMsg: unknown, msg?: string, ...args: unknown[]): void
  info(objOrMsg: unknown, msg?: string, ...args: unknown[]): void
  warn(objOrMsg: unknown, msg?: string, ...args: unknown[]): void
  error(objOrMsg: unknown, msg?: string, ...args: unknown[]): void
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

let fallback: Logger | null = null
/** A thread given no logger (the publish dry run, an in-process test) logs plugin lines to stderr, where a command's --json output is not. */
const fallbackLogger = (): Logger => (fallback ??= createJsonLogger({ level: process.env.APP_LOG_LEVEL || 'info', destination: 2 }))

/**
 * A plugin's logger: a child of the process's pino logger bound to
 * `{ plugin, version }`. Only the four levels, and no child()/setBindings():
 * a plugin cannot log as another plugin, and an object's own `plugin` or
 * `version` field is dropped for the same reason (the line already says who).
 */
export function createPluginLog(base: Logger | null | undefined, plugin: string, version: string): PluginLog {
  let child: Logger | null = null
  const target = () => (child ??= (base ?? fallbackLogger()).child({ plugin, version }))
  const method =
    (level: (typeof LEVELS)[number]) =>
    (objOrMsg: unknown, ...rest: unknown[]) => {
      let first = objOrMsg
      if (typeof first === 'object' && first !== null && !(first instanceof Error) && ('plugin' in first || 'version' in first)) {
        const { plugin: _p, version: _v, ...fields } = first as Record<string, unknown>
        first = fields
      }
      ;(target()[level] as (...a: unknown[]) => void)(first, ...rest)
    }
  return Object.freeze(Object.fromEntries(LEVELS.map((l) => [l, method(l)])) as unknown as PluginLog)
}
