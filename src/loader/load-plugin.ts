import { performance } from 'node:perf_hooks'
import type { Logger } from '../log/create-logger.ts'
import type { HostServices } from '../sdk/host-services.ts'
import { createSdk } from './create-sdk.ts'
import { handlesLeftBy, handleTrackingEnabled } from './handle-tracker.ts'
import type { HostRegistries } from './host-registries.ts'
import { bindPluginRoot } from './module-hooks.ts'
import { OutsideImportError } from './plugin-imports.ts'
import { pluginContext } from './plugin-context.ts'
import { createPluginScope, type PluginScope } from './plugin-scope.ts'
import { describeError, withTimeout } from './with-timeout.ts'

export interface PluginToLoad {
  name: string
  version: string
  manifest: Record<string, unknown>
}

/** One load of one plugin. ok: imported and load() resolved; its registrations are staged until scope.commit(). */
export interface PluginLoad {
  plugin: PluginToLoad
  dir: string
  scope: PluginScope
  ok: boolean
  exports: Record<string, unknown> | null
  durationMs: number
}

type Fn = (...args: unknown[]) => unknown
const fnOf = (ns: Record<string, unknown> | null, key: string): Fn | null => {
  const direct = ns?.[key]
  if (typeof direct === 'function') return direct as Fn
  const viaDefault = (ns?.default as Record<string, unknown> | undefined)?.[key]
  return typeof viaDefault === 'function' ? (viaDefault as Fn) : null
}

/**
 * Imports a plugin's modules in manifest order and awaits modules[0].load(),
 * each step against the timeout; any failure is a warning on the scope, and
 * the scope is failed so nothing it staged is applied.
 */
export async function loadPlugin(options: {
  plugin: PluginToLoad
  dir: string
  cacheDir: string
  registries: HostRegistries
  services: HostServices | null
  timeoutMs: number
  onWarning?: () => void
  /** The process's logger: the plugin's `log` (and its console calls) become its lines, tagged with plugin and version. */
  logger?: Logger | null
  /** Told before each step that runs plugin code (the dry run's watchdog). */
  onPhase?: (phase: string) => void
}): Promise<PluginLoad> {
  const { plugin, dir, timeoutMs } = options
  const { name } = plugin
  const scope = createPluginScope({
    name,
    version: plugin.version,
    registries: options.registries,
    onWarning: options.onWarning,
    logger: options.logger,
  })
  const { moduleUrl } = bindPluginRoot(
    options.cacheDir,
    dir,
    name,
    createSdk(scope, options.services, { manifestSettings: plugin.manifest.settings }),
    scope.log,
  )
  const ctx = scope.context
  const started = performance.now()
  const done = (ok: boolean, exports: Record<string, unknown> | null): PluginLoad => {
    if (!ok) scope.fail()
    return { plugin, dir, scope, ok, exports, durationMs: Math.round((performance.now() - started) * 100) / 100 }
  }
  const modules = (plugin.manifest.modules ?? []) as string[]
  let first: Record<string, unknown> | null = null
  for (const [i, path] of modules.entries()) {
    options.onPhase?.(`importing ${path}`)
    const outcome = await withTimeout(
      () => pluginContext.run(ctx, () => import(moduleUrl(path)) as Promise<Record<string, unknown>>),
      timeoutMs,
    )
    if (outcome.ok) {
      if (i === 0) first = outcome.value
      continue
    }
    if ('timedOut' in outcome) {
      scope.warn({
        code: 'LOAD_TIMEOUT',
        severity: 'error',
        message: `plugin "${name}": importing ${path} did not finish within ${timeoutMs} ms (a top-level await that never settles?), so the plugin is not loaded. Make the module's top level finish quickly, or raise loader.loadTimeoutMs.`,
        detail: path,
      })
    } else if (outcome.error instanceof OutsideImportError) {
      scope.warn({
        code: 'MODULE_NOT_FOUND',
        severity: 'error',
        message: `${outcome.error.message} The plugin is not loaded.`,
        detail: describeError(outcome.error).detail,
      })
    } else {
      const e = describeError(outcome.error)
      const code = (outcome.error as { code?: string })?.code
      scope.warn({
        code: 'IMPORT_FAILED',
        severity: 'error',
        message: `plugin "${name}": importing ${path} failed${code ? ` (${code})` : ''}: ${e.message}. The plugin is not loaded; fix the module (its stack is in the detail).`,
        detail: e.detail,
      })
    }
    return done(false, null)
  }
  const load = fnOf(first, 'load')
  if (!load) {
    const found = Object.keys(first ?? {}).filter((k) => k !== 'default' && k !== 'module.exports')
    scope.warn({
      code: 'LOAD_MISSING',
      severity: 'error',
      message: `plugin "${name}": ${modules[0]} (modules[0]) does not export a load() function${found.length ? `; it exports ${found.join(', ')}` : ''}. Export one: \`export function load() {}\` (ESM) or \`module.exports = { load }\` (CommonJS).`,
      detail: modules[0],
    })
    return done(false, first)
  }
  options.onPhase?.('load()')
  const outcome = await withTimeout(() => pluginContext.run(ctx, () => load()), timeoutMs)
  if (outcome.ok) return done(true, first)
  if ('timedOut' in outcome) {
    scope.warn({
      code: 'LOAD_TIMEOUT',
      severity: 'error',
      message: `plugin "${name}": load() did not settle within ${timeoutMs} ms, so the plugin is not loaded. Make load() finish (do long work later, in an action or an event), or raise loader.loadTimeoutMs.`,
      detail: modules[0],
    })
  } else {
    const e = describeError(outcome.error)
    scope.warn({
      code: 'LOAD_FAILED',
      severity: 'error',
      message: `plugin "${name}": load() threw ${e.message}. The plugin is not loaded; fix load() (its stack is in the detail).`,
      detail: e.detail,
    })
  }
  return done(false, first)
}

/**
 * Unloads a loaded plugin: its unload() (a failure is UNLOAD_FAILED, and the
 * host goes on), then every registration undone in reverse order; anything
 * still registered or still running after that is UNLOAD_LEAK.
 */
export async function unloadPlugin(load: PluginLoad, timeoutMs: number): Promise<void> {
  const { scope } = load
  const name = load.plugin.name
  const unload = fnOf(load.exports, 'unload')
  if (load.ok && unload) {
    const outcome = await withTimeout(() => pluginContext.run(scope.context, () => unload()), timeoutMs)
    if (!outcome.ok) {
      const why = 'timedOut' in outcome ? `did not settle within ${timeoutMs} ms` : `threw ${describeError(outcome.error).message}`
      scope.warn({
        code: 'UNLOAD_FAILED',
        severity: 'warning',
        message: `plugin "${name}": unload() ${why}; its registrations were removed anyway, but what unload() should have stopped may still run. Fix unload().`,
        detail: 'timedOut' in outcome ? null : describeError(outcome.error).detail,
      })
    }
  }
  const left = scope.unload()
  if (left.length) {
    scope.warn({
      code: 'UNLOAD_LEAK',
      severity: 'warning',
      message: `plugin "${name}": after unload, ${left.join(', ')} stayed registered. Report this: the host should have removed them.`,
      detail: left.join('\n'),
    })
  }
  if (handleTrackingEnabled()) {
    const running = await handlesLeftBy(scope.id)
    if (running.length) {
      scope.warn({
        code: 'UNLOAD_LEAK',
        severity: 'warning',
        message: `plugin "${name}" left ${running.join(', ')} running after unload(): code of an unloaded plugin keeps running. Stop it in unload() (clearInterval/clearTimeout, server.close(), watcher.close()).`,
        detail: running.join('\n'),
      })
    }
  }
}
