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

/** A setting a filter or an action takes; `default` fills what a bot leaves out. */
export interface SettingConfig {
  name: string
  type?: 'string' | 'int' | 'float' | 'bool' | 'list' | 'dict' | string
  default?: unknown
  [key: string]: unknown
}

export type Undo = () => void

export interface Logger {
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
  debug(obj: object | string, msg?: string): void
}

/** What an event job's run(ctx) receives. */
export interface EventContext {
  event: {
    id: number; eventType: string; description: string | null; bot: string | null
    /** Id of the resource the event was scheduled for, or null. */
    resource: string | null
    payload: unknown; attempt: number
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
  interval(every: number | { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number }, options?: { startAt?: Date | string | number }): ScheduleData
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
  action(spec: ActionSpec, fn: (bot: Bot, settings: Record<string, any>, matches: Resource[], nonMatches: Resource[]) => void | Promise<void>): this
  load(): void
  unload(): void
}

/** The plugin's own HTTP routes, mounted at /plugin/<name>/ by the web role. */
export declare function registerApiBlueprint(app: HonoApp<any, any, any>): Undo

export interface DbObjectsApi {
  resources: {
    get(id: string): Promise<Resource | null>
    find(query?: { type?: string; cloud?: string; region?: string; state?: string; tags?: Record<string, string> }): Promise<Resource[]>
    update(id: string, patch: { state?: string; tags?: Record<string, string>; properties?: Record<string, unknown> }): Promise<Resource>
  }
  bots: { get(name: string): Promise<Bot | null>; list(): Promise<Bot[]> }
  events: { find(query?: { eventType?: string; status?: EventRecord['status'] }): Promise<EventRecord[]> }
}

/** The host objects in runtime.db. */
export declare const DbObjects: DbObjectsApi
/** @deprecated Use DbObjects (same API); each plugin using it gets one DEPRECATED_API warning. */
export declare const DivvyDbObjects: DbObjectsApi

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
  DbObjects: DbObjectsApi
  DivvyDbObjects: DbObjectsApi
  Hono: typeof HonoApp
  html: typeof HtmlTag
}
export default sdk
