import { guardProcess } from './guard-process.ts'
import { onPluginWarning, type HostState } from './host-state.ts'
import { describeError } from './with-timeout.ts'

/** Hooks the host into the process guard: an error escaping a plugin this host loaded becomes that plugin's warning. */
export function guardPluginErrors(state: HostState): void {
  guardProcess((plugin, kind, error) => {
    const load = state.active.get(plugin)?.load ?? state.lastLoad.get(plugin)
    if (!load) return false
    const e = describeError(error)
    state.log?.warn({ plugin, err: error }, `${kind} in plugin code; the process keeps running`)
    load.scope.warn({
      code: 'UNHANDLED_ERROR',
      severity: 'warning',
      message: `plugin "${plugin}": ${kind} escaped plugin code: ${e.message}. The process kept running; catch errors inside the plugin (await its promises, try/catch in callbacks).`,
      detail: e.detail,
    })
    onPluginWarning(state, plugin)
    return true
  })
}
