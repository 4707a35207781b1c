import { Hono } from 'hono'
import { html } from 'hono/html'
import type { PluginScope } from './plugin-scope.ts'
import type { SettingConfig } from './plugin-host.ts'
import { createDbObjects } from '../sdk/create-db-objects.ts'
import { DEPRECATIONS } from '../sdk/deprecated.ts'
import type { ActionFn, ActionSpec, BotEventRequest, EventContext, FilterFn, HostServices, QuerySpec } from '../sdk/host-services.ts'
import { Schedule } from '../sdk/schedule.ts'
import { MultiResourceScheduledEventJob, ScheduledEventJob } from '../sdk/scheduled-event-job.ts'
import { PermanentError } from '../sdk/permanent-error.ts'
import { createSettingsApi } from '../settings/create-settings-api.ts'
import { checkBlueprintOptions } from './blueprint-options.ts'
import { createStorageApi } from '../sdk/create-storage-api.ts'
import { APP_VERSION } from '../version.ts'
import { createHooksApi, createJobsApi } from './create-work-apis.ts'

const show = (v: unknown) =>
  typeof v === 'function' ? `a function ${v.name || '(anonymous)'}` : (JSON.stringify(v)?.slice(0, 120) ?? String(v))
const bad = (call: string, expected: string, found: unknown) => new TypeError(`${call}: expected ${expected}; found ${show(found)}`)

function checkId(call: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) throw bad(call, `${field} to be a non-empty string such as "custom.my_id"`, v)
  return v
}

function checkSettings(call: string, v: unknown): SettingConfig[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || v.some((s) => typeof s?.name !== 'string'))
    throw bad(call, 'settingsConfig to be an array of {name, type, default?}', v)
  return v as SettingConfig[]
}

const defaultsOf = (settings: SettingConfig[]) => Object.fromEntries(settings.filter((s) => 'default' in s).map((s) => [s.name, s.default]))

/** Builds what ScheduledEventManager registers: a class with run(ctx) (built per event), or a plain function of ctx. */
function eventTypeValue(call: string, id: string, job: unknown) {
  if (typeof job !== 'function') throw bad(call, 'a class extending ScheduledEventJob (or a function of ctx)', job)
  const proto = (job as { prototype?: { run?: unknown } }).prototype
  const isClass = /^class\b/.test(Function.prototype.toString.call(job)) || typeof proto?.run === 'function'
  if (isClass && typeof proto?.run !== 'function') throw bad(call, `class ${job.name} to have a run(ctx) method`, job)
  const Job = job as new (ctx: unknown) => { run(ctx: unknown): unknown }
  const fn = job as (ctx: unknown) => unknown
  return {
    id,
    job,
    async run(ctx: never) {
      await (isClass ? new Job(ctx).run(ctx) : fn(ctx))
    },
  }
}

/** An event type as plugins register it: a class extending ScheduledEventJob, or a function of ctx. */
type EventJob = (new (ctx: EventContext) => ScheduledEventJob) | ((ctx: EventContext) => unknown)

// Plugin code is not type-checked: every value is checked here at run time, whatever the types say.
function queryValue(given: QuerySpec, fn: unknown) {
  const call = 'QueryRegistry.register(spec, fn)'
  const spec = given as unknown as Record<string, unknown>
  if (typeof spec !== 'object' || spec === null) throw bad(call, 'spec to be {queryId, name, supportedResources, settingsConfig}', spec)
  const queryId = checkId(call, 'spec.queryId', spec.queryId)
  if (typeof fn !== 'function') throw bad(call, 'fn to be a filter function (resource, settings) => boolean', fn)
  const supported = spec.supportedResources ?? []
  if (!Array.isArray(supported) || supported.some((s) => typeof s !== 'string'))
    throw bad(call, 'spec.supportedResources to be an array of resource types', supported)
  const settingsConfig = checkSettings(call, spec.settingsConfig)
  return {
    queryId,
    name: typeof spec.name === 'string' ? spec.name : queryId,
    supportedResources: supported as string[],
    settingsConfig,
    settingsDeclared: spec.settingsConfig !== undefined,
    defaults: defaultsOf(settingsConfig),
    fn: fn as never,
  }
}

function actionValue(given: ActionSpec, fn: unknown) {
  const call = 'BotFactoryRegistryWrapper.action(spec, fn)'
  const spec = given as unknown as Record<string, unknown>
  if (typeof spec !== 'object' || spec === null)
    throw bad(call, 'spec to be {uid, name, bulkAction, acceptsComplement, settingsConfig}', spec)
  const uid = checkId(call, 'spec.uid', spec.uid)
  if (typeof fn !== 'function') throw bad(call, 'fn to be an action function (bot, settings, matches, nonMatches) => void', fn)
  const settingsConfig = checkSettings(call, spec.settingsConfig)
  return {
    uid,
    name: typeof spec.name === 'string' ? spec.name : uid,
    bulkAction: spec.bulkAction === true,
    acceptsComplement: spec.acceptsComplement === true,
    settingsConfig,
    settingsDeclared: spec.settingsConfig !== undefined,
    defaults: defaultsOf(settingsConfig),
    fn: fn as never,
  }
}

/**
 * The `app/plugin` module of one plugin: every registration made through it,
 * at import, in load() or later from a callback, is owned by that plugin.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the SDK object: one short entry per export, all bound to one plugin scope
export function createSdk(scope: PluginScope, services: HostServices | null, options: { manifestSettings?: unknown } = {}) {
  const where = `in plugin "${scope.name}"`
  let blueprints = 0

  /** `register(id)(JobClass)`: decorator style, returns the class. `register(id, JobClass)` returns the undo. */
  function register(id: string): <T extends EventJob>(job: T) => T
  function register(id: string, job: EventJob): () => void
  function register(id: string, job?: EventJob): unknown {
    const call = `ScheduledEventManager.register(${JSON.stringify(id)})`
    checkId(call, 'the event type id', id)
    if (job !== undefined) return scope.register('eventType', id, eventTypeValue(call, id, job))
    return <T extends EventJob>(cls: T): T => {
      scope.register('eventType', id, eventTypeValue(call, id, cls))
      return cls
    }
  }
  const ScheduledEventManager = Object.freeze({ register })

  /** Event types a dynamically loaded plugin adds in load() and removes in unload(). */
  class ScheduledEventRegistryWrapper {
    #items: Array<[string, unknown]> = []
    #undos: Array<() => void> | null = null
    register(id: string) {
      const call = `ScheduledEventRegistryWrapper.register(${JSON.stringify(id)})`
      checkId(call, 'the event type id', id)
      return <T extends EventJob>(cls: T): T => {
        const value = eventTypeValue(call, id, cls)
        this.#items.push([id, cls])
        this.#undos?.push(scope.register('eventType', id, value))
        return cls
      }
    }
    load(): void {
      if (this.#undos) return
      this.#undos = this.#items.map(([id, cls]) =>
        scope.register('eventType', id, eventTypeValue('ScheduledEventRegistryWrapper.load()', id, cls)),
      )
    }
    unload(): void {
      for (const undo of (this.#undos ?? []).reverse()) undo()
      this.#undos = null
    }
  }

  /** Bot actions, registered on load() and removed on unload(). */
  class BotFactoryRegistryWrapper {
    #items: Array<ReturnType<typeof actionValue>> = []
    #undos: Array<() => void> | null = null
    action(spec: ActionSpec, fn: ActionFn): this {
      const value = actionValue(spec, fn)
      this.#items.push(value)
      this.#undos?.push(scope.register('action', value.uid, value))
      return this
    }
    load(): void {
      if (this.#undos) return
      this.#undos = this.#items.map((v) => scope.register('action', v.uid, v))
    }
    unload(): void {
      for (const undo of (this.#undos ?? []).reverse()) undo()
      this.#undos = null
    }
  }

  const QueryRegistry = Object.freeze({
    /** A filter: (resource, settings) => boolean | Promise<boolean>. Returns the undo. */
    register(spec: QuerySpec, fn: FilterFn): () => void {
      const value = queryValue(spec, fn)
      return scope.register('filter', value.queryId, value)
    },
  })

  const ScheduledEventTracker = Object.freeze({
    /** Collects scheduleBotEvent() calls made in fn and writes them in one transaction when fn resolves: all or none. */
    async run<T>(fn: (tracker: { scheduleBotEvent(request: BotEventRequest): void }) => T | Promise<T>): Promise<T> {
      if (typeof fn !== 'function') throw bad('ScheduledEventTracker.run(fn)', 'a function (tracker) => ...', fn)
      const requests: BotEventRequest[] = []
      const result = await fn(
        Object.freeze({
          scheduleBotEvent(request: BotEventRequest) {
            requests.push(request)
          },
        }),
      )
      if (requests.length) {
        if (!services)
          throw new Error(
            `ScheduledEventTracker.run ${where}: there is no runtime database in this process, so events cannot be scheduled here. Schedule events from an action or an event job.`,
          )
        await services.scheduleBotEvents(requests, scope.name)
      }
      return result
    },
  })

  /** Routes at /plugin/<this plugin>/, behind the admin sign-in except the paths in options.public. */
  function registerApiBlueprint(app: unknown, options?: unknown): () => void {
    const a = app as { fetch?: unknown; routes?: unknown }
    if (!a || typeof a.fetch !== 'function' || !Array.isArray(a.routes))
      throw bad('registerApiBlueprint(app)', "a Hono app (import { Hono } from 'app/plugin')", app)
    return scope.register('blueprint', String(++blueprints), { app: app as Hono, public: checkBlueprintOptions(options).public })
  }

  const DbObjects = createDbObjects(services, where, scope.name)
  return Object.freeze({
    ScheduledEventManager,
    ScheduledEventRegistryWrapper,
    ScheduledEventTracker,
    ScheduledEventJob,
    MultiResourceScheduledEventJob,
    Schedule,
    QueryRegistry,
    BotFactoryRegistryWrapper,
    registerApiBlueprint,
    DbObjects,
    log: scope.log,
    DivvyDbObjects: DEPRECATIONS.DivvyDbObjects.wrap(DbObjects, (w) => scope.warn(w)),
    Hono,
    html,
    settings: createSettingsApi(scope.name, options.manifestSettings, services?.pluginSettings ?? null),
    PermanentError,
    jobs: createJobsApi(scope),
    hooks: createHooksApi(scope),
    storage: createStorageApi(services, scope.name, where),
    host: Object.freeze({
      role: services?.host?.role ?? 'none',
      dryRun: services?.host?.dryRun === true,
      version: APP_VERSION,
      dataDir: services?.host?.dataDir ?? null,
    }),
  })
}
