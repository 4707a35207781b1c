/**
 * Types of `app/plugin`, the SDK the app host hands each plugin at load time
 * (DESIGN section 5). Plugins import it and ship no other dependency:
 *
 *   import { QueryRegistry, Hono } from 'app/plugin'        // ESM
 *   const { QueryRegistry } = require('app/plugin')          // CommonJS
 *
 * Every registration is owned by the plugin that made it and removed when the
 * plugin is unloaded. Functions that register return their undo.
 */
// hono:begin (`app plugin init` writes types/hono-lite.d.ts in place of this block: an air-gapped plugin has no hono package)
import type { Hono as HonoApp } from 'hono'
import type { html as HtmlTag } from 'hono/html'

export { Hono } from 'hono'
export { html } from 'hono/html'
// hono:end

/** A cloud resource in the inventory. */
export interface Resource {
  id: string
  type: string
  cloud: string
  account: string
  region: string
  name: string
  state: string
  tags: Record<string, string>
  properties: Record<string, unknown>
}

export interface Bot {
  name: string
  enabled: boolean
  resourceTypes: string[]
  filters: Array<{ queryId: string; settings: Record<string, unknown> }>
  action: { uid: string; settings: Record<string, unknown> }
  schedule: { intervalSeconds: number } | { cron: string; timezone?: string } | null
}

export type ScheduleData =
  | { kind: 'once'; at: string }
  | { kind: 'interval'; everyMs: number; startAt?: string }
  | { kind: 'cron'; expr: string; timezone?: string }

export interface EventRecord {
  id: number
  eventType: string
  description: string | null
  bot: string | null
  resource: string | null
  payload: unknown
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'orphaned'
  runAt: string
  attempts: number
  lastError: string | null
}

/**
 * A setting a filter or an action takes; `default` fills what a bot leaves out. `app bots apply` checks bots
 * against it: unknown keys, `required`, the type and `choices` (leave settingsConfig out for free-form settings).
 */
export interface SettingConfig {
  name: string
  type?: 'string' | 'int' | 'float' | 'number' | 'bool' | 'boolean' | 'list' | 'dict' | 'choice' | string
  default?: unknown
  required?: boolean
  choices?: unknown[]
  description?: string
  [key: string]: unknown
}

export type Undo = () => void

/** `log.info('text')` or `log.info({ key: value }, 'text')`; `plugin` and `version` are set by the host. */
export interface Logger {
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
  debug(obj: object | string, msg?: string): void
}

/** What an event job's run(ctx) receives. */
export interface EventContext {
  event: {
    id: number
    eventType: string
    description: string | null
    bot: string | null
    /** Id of the resource the event was scheduled for, or null. */
    resource: string | null
    payload: unknown
    attempt: number
    /** When the event was due (ISO 8601). */
    runAt: string
  }
  /** The event's resources, fresh from the inventory. */
  resources: Resource[]
  /** The event's resource, fresh from the inventory; null when it has none or it left the inventory. */
  resource: Resource | null
  log: Logger
  /** Aborted when the job times out or the worker shuts down: stop soon after. */
  signal: AbortSignal
}

/** Base class of event types: override run(ctx). The context is also on `this`. */
export declare class ScheduledEventJob {
  constructor(ctx?: EventContext)
  ctx: EventContext | undefined
  event: EventContext['event'] | undefined
  resources: Resource[]
  resource: Resource | null
  log: Logger | undefined
  signal: AbortSignal | undefined
  run(ctx: EventContext): Promise<void> | void
}

/** An event type over several resources (ctx.resources). */
export declare class MultiResourceScheduledEventJob extends ScheduledEventJob {}

type JobClass = new (ctx: EventContext) => ScheduledEventJob

export declare const ScheduledEventManager: {
  /** `register('custom.x')(class extends ScheduledEventJob {...})`: returns the class. */
  register(id: string): <T extends JobClass | ((ctx: EventContext) => unknown)>(job: T) => T
  /** `register('custom.x', JobClass)`: returns the undo. */
  register(id: string, job: JobClass | ((ctx: EventContext) => unknown)): Undo
}

/** Event types a plugin adds in load() and removes in unload(). */
export declare class ScheduledEventRegistryWrapper {
  register(id: string): <T extends JobClass | ((ctx: EventContext) => unknown)>(job: T) => T
  load(): void
  unload(): void
}

export interface BotEventRequest {
  bot: Bot | string
  resource: Resource | string
  description: string
  /** An event type id some plugin registers. */
  eventType: string
  scheduleData: ScheduleData
  payload?: unknown
}

export declare const ScheduledEventTracker: {
  /** Events scheduled inside fn are written together when it resolves, or not at all if it throws. */
  run<T>(fn: (tracker: { scheduleBotEvent(request: BotEventRequest): void }) => T | Promise<T>): Promise<T>
}

export declare const Schedule: {
  once(date: Date | string | number): ScheduleData
  interval(
    every: number | { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number },
    options?: { startAt?: Date | string | number },
  ): ScheduleData
  cron(expr: string, options?: { timezone?: string }): ScheduleData
}

export interface QuerySpec {
  /** Unique across plugins: the first plugin in name order keeps a uid (DUPLICATE_UID). */
  queryId: string
  name?: string
  supportedResources?: string[]
  settingsConfig?: SettingConfig[]
}

export declare const QueryRegistry: {
  register(spec: QuerySpec, filter: (resource: Resource, settings: Record<string, any>) => boolean | Promise<boolean>): Undo
}

export interface ActionSpec {
  uid: string
  name?: string
  /** true: one call with all matches; false: one call per match. */
  bulkAction?: boolean
  /** true: a bulk action also gets the resources that did not match. */
  acceptsComplement?: boolean
  settingsConfig?: SettingConfig[]
}

/** Bot actions, registered by load() and removed by unload(). */
export declare class BotFactoryRegistryWrapper {
  action(
    spec: ActionSpec,
    fn: (bot: Bot, settings: Record<string, any>, matches: Resource[], nonMatches: Resource[]) => void | Promise<void>,
  ): this
  load(): void
  unload(): void
}

/** Who called a plugin route: `c.get('user')` in its handlers. */
export interface RouteUser {
  kind: 'admin' | 'anonymous'
}

/** The Hono env of a plugin route: `new Hono<RouteEnv>()` types `c.get('user')`. */
export type RouteEnv = { Variables: { user: RouteUser } }

export interface BlueprintOptions {
  /**
   * Paths relative to /plugin/<name> that answer without the admin sign-in, written as Hono paths:
   * '/webhook', '/hooks/:id', or a last '*' for everything below ('/public/*'). Every other route needs the
   * admin token (cookie or Bearer) and answers 401 without it. On a public path, `c.get('user').kind` says
   * whether the caller is signed in; the Authorization header never reaches the plugin.
   */
  public?: string[]
}

/**
 * The plugin's own HTTP routes, mounted at /plugin/<name>/ by the web role (always this plugin's name).
 * A route that throws or does not answer within 30 s is a RUNTIME_ERROR of the plugin (500 / 504).
 */
export declare function registerApiBlueprint(app: HonoApp<any, any, any>, options?: BlueprintOptions): Undo

/**
 * The plugin's logger: JSON lines of the process's log, tagged with `plugin` and `version`, usable at import,
 * in load(), filters, actions, routes, jobs and hooks. console.* in plugin code goes here too.
 */
export declare const log: Logger

export interface DbObjectsApi {
  resources: {
    get(id: string): Promise<Resource | null>
    find(query?: { type?: string; cloud?: string; region?: string; state?: string; tags?: Record<string, string> }): Promise<Resource[]>
    /** state replaces; tags and properties merge key by key, and a null value removes that key. Raises resource.modified (not for this plugin's own hooks). */
    update(
      id: string,
      patch: { state?: string; tags?: Record<string, string | null>; properties?: Record<string, unknown> },
    ): Promise<Resource>
    /** Adds a resource ({id, type} required; an existing id throws) and raises resource.created. */
    create(resource: {
      id: string
      type: string
      cloud?: string
      account?: string
      region?: string
      name?: string
      state?: string
      tags?: Record<string, string>
      properties?: Record<string, unknown>
    }): Promise<Resource>
    /** Removes a resource and raises resource.deleted; false when there was none. */
    delete(id: string): Promise<boolean>
  }
  bots: { get(name: string): Promise<Bot | null>; list(): Promise<Bot[]> }
  events: { find(query?: { eventType?: string; status?: EventRecord['status'] }): Promise<EventRecord[]> }
}

/** The host objects in runtime.db. */
export declare const DbObjects: DbObjectsApi
/** @deprecated Use DbObjects (same API); each plugin using it gets one DEPRECATED_API warning. */
export declare const DivvyDbObjects: DbObjectsApi

/** A value of the plugin's own settings (manifest "settings"), typed by its declaration. */
export type PluginSettingValue = string | number | boolean | Array<string | number | boolean>

/**
 * The plugin's own settings, declared in plugin.json "settings" and set by operators with
 * `app plugins settings <name> set key=value`. Read fresh on each call: a change applies without a restart.
 */
export declare const settings: {
  /**
   * The value, or the declared default, or undefined. Throws PermanentError when the setting is required and
   * unset; throws TypeError for a key the manifest does not declare. A secret's value here is its reference.
   */
  get<T extends PluginSettingValue | undefined = any>(key: string): T
  /** A secret's value: its reference (env:NAME, file:/path) resolved in this process, one trailing newline trimmed. */
  secret(key: string): Promise<string | undefined>
}

/** Throw it to say "do not retry": the job fails at once instead of being retried. */
export declare class PermanentError extends Error {
  constructor(message?: string, options?: ErrorOptions)
}

/** What a jobs.schedule handler gets. */
export interface JobContext {
  /** The job id given to jobs.schedule. */
  id: string
  /** This run's id in `app events` (the same when it is run again): a key to recognise a repeated run. */
  jobId: number
  /** 1 on the first try; a failed run is retried (PermanentError: not). */
  attempt: number
  /** When this run was due (ISO). */
  runAt: string
  /** When the last successful run of this job started (ISO), or null. */
  lastRunAt: string | null
  log: Logger
  /** Aborted on timeout or shutdown. */
  signal: AbortSignal
}

/**
 * Plugin-owned periodic work. One schedule per (plugin, id), fired by the scheduler exactly once per due
 * time and run by one worker. Call it at import or in load(): the publish dry run records it. Registering
 * the id again (a new version) replaces the schedule; when the plugin leaves, its schedules stop.
 */
export declare const jobs: {
  schedule(id: string, schedule: ScheduleData, handler: (ctx: JobContext) => unknown): Undo
}

export type ResourceHookName = 'resource.created' | 'resource.modified' | 'resource.deleted'

/** A resource change: `changes` holds each changed top-level field's new value, and the changed keys under tags / properties (null: removed). */
export interface ResourceChange {
  /** After the change; for resource.deleted, as it was when deleted. */
  resource: Resource
  /** Before the change; null for resource.created. */
  previous: Resource | null
  changes: Partial<Omit<Resource, 'tags' | 'properties'>> & { tags?: Record<string, string | null>; properties?: Record<string, unknown> }
}

export interface HookContext {
  hook: ResourceHookName
  /** This delivery's id in `app events` (the same when it is delivered again): send it as an idempotency key. */
  jobId: number
  attempt: number
  /** The plugin that made the change, or null (`app resources import`). */
  changedBy: string | null
  log: Logger
  signal: AbortSignal
}

/**
 * Resource hookpoints, delivered as durable jobs (at least once, retried, visible in `app events`). Raised by
 * `app resources import` and DbObjects.resources.create / update / delete; a plugin's own change does not
 * raise its own hooks.
 */
export declare const hooks: {
  on(name: ResourceHookName, handler: (change: ResourceChange, ctx: HookContext) => unknown): Undo
}

/** Per-plugin JSON values in runtime.db; limits.storageBytes per plugin (default 10 MiB). */
export declare const storage: {
  get<T = unknown>(key: string): Promise<T | undefined>
  /** Throws past limits.storageBytes, naming the sizes. `ttlMs`: reads as absent after that long. */
  set(key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>
  delete(key: string): Promise<boolean>
  /** The keys starting with prefix, sorted. */
  list(prefix?: string): Promise<string[]>
}

/** Where the plugin runs. In the publish dry run (`dryRun`), writes are recorded, not made. */
export declare const host: {
  readonly role: 'scheduler' | 'worker' | 'web' | 'all' | string
  readonly dryRun: boolean
  /** The app's version. */
  readonly version: string
  readonly dataDir: string | null
}

declare const sdk: {
  ScheduledEventManager: typeof ScheduledEventManager
  ScheduledEventRegistryWrapper: typeof ScheduledEventRegistryWrapper
  ScheduledEventTracker: typeof ScheduledEventTracker
  ScheduledEventJob: typeof ScheduledEventJob
  MultiResourceScheduledEventJob: typeof MultiResourceScheduledEventJob
  Schedule: typeof Schedule
  QueryRegistry: typeof QueryRegistry
  BotFactoryRegistryWrapper: typeof BotFactoryRegistryWrapper
  registerApiBlueprint: typeof registerApiBlueprint
  log: typeof log
  DbObjects: DbObjectsApi
  DivvyDbObjects: DbObjectsApi
  Hono: typeof HonoApp
  settings: typeof settings
  PermanentError: typeof PermanentError
  jobs: typeof jobs
  hooks: typeof hooks
  storage: typeof storage
  host: typeof host
  html: typeof HtmlTag
}
export default sdk
