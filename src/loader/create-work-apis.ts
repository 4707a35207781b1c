import { hookJobType, isResourceHook, RESOURCE_HOOKS } from '../hooks/hook-names.ts'
import { checkScheduleData } from '../schedules/schedule-data.ts'
import { pluginJobType } from '../schedules/plugin-job-type.ts'
import type { PluginScope } from './plugin-scope.ts'
import type { HookContext, JobContext, ResourceChange, ResourceHookName, ScheduleData } from '../sdk/host-services.ts'

const show = (v: unknown) =>
  typeof v === 'function' ? `a function ${v.name || '(anonymous)'}` : (JSON.stringify(v)?.slice(0, 120) ?? String(v))

/**
 * The SDK's `jobs`: plugin-owned periodic work. Registering only records the handler in this process; the
 * schedule itself is written once, by the scheduler, from what the publish dry run recorded (every process
 * that loads the plugin calls this, and none of them writes). Re-registering an id replaces it.
 */
export function createJobsApi(scope: PluginScope) {
  const undos = new Map<string, () => void>()
  return Object.freeze({
    // Typed as types/plugin.d.ts declares them; every argument is still checked, as plugin code is not type-checked.
    schedule(id: string, schedule: ScheduleData, handler: (ctx: JobContext) => unknown): () => void {
      const call = `jobs.schedule(${show(id)})`
      if (typeof id !== 'string' || !id.trim() || id.length > 200 || /[\u0000-\u001f]/.test(id))
        throw new TypeError(
          `${call}: expected an id that is a non-empty string of at most 200 characters, such as "harvest-xray"; found ${show(id)}`,
        )
      const data = checkScheduleData(schedule, `${call}: schedule`)
      if (typeof handler !== 'function')
        throw new TypeError(`${call}: expected a handler function async (ctx) => {...}; found ${show(handler)}`)
      undos.get(id)?.()
      const type = pluginJobType(scope.name, id)
      const undo = scope.register('job', type, { id, type, schedule: data, handler })
      const own = () => {
        if (undos.get(id) === own) undos.delete(id)
        undo()
      }
      undos.set(id, own)
      return own
    },
  })
}

/**
 * The SDK's `hooks`: resource hookpoints. The scheduler keeps the subscriptions (from what the dry run
 * recorded); inventory writers raise one job per subscribed plugin, which a worker runs with the handlers
 * registered here.
 */
export function createHooksApi(scope: PluginScope) {
  let n = 0
  return Object.freeze({
    on(name: ResourceHookName, handler: (change: ResourceChange, ctx: HookContext) => unknown): () => void {
      const call = `hooks.on(${show(name)})`
      if (!isResourceHook(name))
        throw new TypeError(`${call}: expected one of ${RESOURCE_HOOKS.map((h) => `"${h}"`).join(', ')}; found ${show(name)}`)
      if (typeof handler !== 'function')
        throw new TypeError(
          `${call}: expected a handler function async ({ resource, previous, changes }, ctx) => {...}; found ${show(handler)}`,
        )
      const type = hookJobType(scope.name, name)
      return scope.register('hook', `${type}#${++n}`, { hook: name, type, handler })
    },
  })
}
