import { describeError } from './with-timeout.ts'
import { pluginOfStack } from './plugin-roots.ts'
import { pluginContext } from './plugin-context.ts'

/** Takes an error attributed to a plugin; true when it recorded it. */
export type PluginErrorSink = (plugin: string, kind: string, error: unknown) => boolean

const sinks = new Set<PluginErrorSink>()
let installed = false

/**
 * Unhandled rejections and uncaught exceptions that come from plugin code (by
 * async context, else by a stack frame in a plugin's cache directory) become
 * that plugin's warning and do not crash the process. Anything else ends the
 * process as Node would without a handler.
 */
export function guardProcess(sink: PluginErrorSink): () => void {
  sinks.add(sink)
  if (!installed) {
    installed = true
    process.on('uncaughtException', (error) => handle('an uncaught exception', error))
    process.on('unhandledRejection', (reason) => handle('an unhandled promise rejection', reason))
  }
  return () => {
    sinks.delete(sink)
  }
}

function handle(kind: string, error: unknown): void {
  const plugin = pluginContext.getStore()?.plugin ?? pluginOfStack((error as Error)?.stack)
  if (plugin) for (const sink of sinks) if (sink(plugin, kind, error)) return
  process.stderr.write(`${kind} outside plugin code; exiting:\n${describeError(error).detail}\n`)
  process.exit(1)
}
