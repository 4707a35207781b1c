/**
 * What the SDK (`app/plugin`) needs from the host, behind one interface: the
 * loader builds the SDK on top of it; the events part implements it over
 * runtime.db. Async throughout, so a PostgreSQL backend fits behind it.
 */

/** A cloud resource in the inventory (DESIGN section 5). */
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

export interface ResourceQuery {
  type?: string
  cloud?: string
  region?: string
  state?: string
  tags?: Record<string, string>
}

/** A change to a resource: `tags` and `properties` merge into what is there, and a null value removes that key. */
export interface ResourcePatch {
  state?: string
  tags?: Record<string, string | null>
  properties?: Record<string, unknown>
}

/** The resource hookpoints (DESIGN section 5b). */
export type ResourceHookName = 'resource.created' | 'resource.modified' | 'resource.deleted'

/**
 * What a resource hook's handler gets: the resource after the change (for resource.deleted: as it was when
 * deleted), the one before (null for resource.created), and what differs: each changed top-level field with
 * its new value, and under `tags` / `properties` each changed key with its new value (null: removed).
 */
export interface ResourceChange {
  resource: Resource
  previous: Resource | null
  changes: Partial<Omit<Resource, 'tags' | 'properties'>> & { tags?: Record<string, string | null>; properties?: Record<string, unknown> }
}

/** Per-plugin JSON values in runtime.db (the SDK's `storage`, bound to the calling plugin). */
export interface PluginStorageService {
  get(plugin: string, key: string): Promise<unknown>
  set(plugin: string, key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>
  delete(plugin: string, key: string): Promise<boolean>
  list(plugin: string, prefix?: string): Promise<string[]>
}

/** Where plugin code runs (the SDK's `host`, with the app version). */
export interface HostInfo {
  role: string
  dataDir: string | null
  /** The scheduler's publish-time dry run: writes are recorded, not made. */
  dryRun: boolean
}

/** One write a dry run did not make (ScheduledEventTracker, DbObjects, storage). */
export interface DryRunRecord {
  plugin: string
  call: string
  detail: unknown
}

/** A bot (DESIGN sections 5 and 7). */
export interface Bot {
  name: string
  enabled: boolean
  resourceTypes: string[]
  filters: Array<{ queryId: string; settings: Record<string, unknown> }>
  action: { uid: string; settings: Record<string, unknown> }
  schedule: { intervalSeconds: number } | { cron: string; timezone?: string } | null
}

/** Schedule.once / interval / cron, as plain data that crosses threads and goes into SQLite. */
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

export interface EventQuery {
  eventType?: string
  status?: EventRecord['status']
}

export interface BotEventRequest {
  bot: Bot | string
  resource: Resource | string
  description: string
  eventType: string
  scheduleData: ScheduleData
  payload?: unknown
}

export interface HostServices {
  resources: {
    get(id: string): Promise<Resource | null>
    find(query?: ResourceQuery): Promise<Resource[]>
    /** `actor`: the plugin making the change; its own hooks are not raised for it. */
    update(id: string, patch: ResourcePatch, actor?: string | null): Promise<Resource>
    /** Adds a resource (an existing id is an error) and raises resource.created. */
    create?(resource: unknown, actor?: string | null): Promise<Resource>
    /** Removes a resource and raises resource.deleted; false when there was none. */
    delete?(id: string, actor?: string | null): Promise<boolean>
  }
  bots: {
    get(name: string): Promise<Bot | null>
    list(): Promise<Bot[]>
  }
  events: {
    find(query?: EventQuery): Promise<EventRecord[]>
  }
  /** Writes every request in one transaction, or none (ScheduledEventTracker.run). Deduplicated by idempotency key. */
  scheduleBotEvents(requests: BotEventRequest[], owner: string): Promise<void>
  /**
   * Each plugin's settings values (a secret's is its reference), read on every settings.get(): synchronous, as
   * settings.get() is (a PostgreSQL backend would serve it from a cache it refreshes on NOTIFY). dryRun: the publish dry run.
   */
  pluginSettings?: { values(plugin: string): Map<string, unknown>; dryRun?: boolean }
  storage?: PluginStorageService
  host?: HostInfo
  /** The dry run only: the writes it recorded instead of making them. */
  dryRunRecords?: DryRunRecord[]
}

/**
 * What plugin code is handed and hands back through the SDK, as the host implements it. types/plugin.d.ts
 * declares the same shapes for plugin authors; test/sdk/sdk-types.check.ts makes the type checker hold the
 * two to each other.
 */

/** The SDK's `log` and ctx.log: the four levels of the process's logger, `(obj, msg)` or `(msg)`. */
export interface SdkLogger {
  debug(obj: unknown, msg?: string, ...args: unknown[]): void
  info(obj: unknown, msg?: string, ...args: unknown[]): void
  warn(obj: unknown, msg?: string, ...args: unknown[]): void
  error(obj: unknown, msg?: string, ...args: unknown[]): void
}

/** What an event job's run(ctx) receives (DESIGN section 5). */
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
  log: SdkLogger
  signal: AbortSignal
}

/** A setting a filter or an action takes (settingsConfig): `default` fills what a bot leaves out. */
export interface SettingConfig {
  name: string
  type?: string
  default?: unknown
  required?: boolean
  choices?: unknown[]
  description?: string
  [key: string]: unknown
}

/** QueryRegistry.register(spec, filter). */
export interface QuerySpec {
  queryId: string
  name?: string
  supportedResources?: string[]
  settingsConfig?: SettingConfig[]
}

/** BotFactoryRegistryWrapper.action(spec, fn). */
export interface ActionSpec {
  uid: string
  name?: string
  bulkAction?: boolean
  acceptsComplement?: boolean
  settingsConfig?: SettingConfig[]
}

/** A filter and an action as plugins write them (settings: the bot's, over the declared defaults). */
export type FilterFn = (resource: Resource, settings: Record<string, unknown>) => boolean | Promise<boolean>
export type ActionFn = (bot: Bot, settings: Record<string, unknown>, matches: Resource[], nonMatches: Resource[]) => void | Promise<void>

/** What jobs.schedule handlers get. */
export interface JobContext {
  id: string
  /** The run's job id in runtime.db (the same on a retry). */
  jobId: number
  attempt: number
  runAt: string
  lastRunAt: string | null
  log: SdkLogger
  signal: AbortSignal
}

/** What hooks.on handlers get besides the change. */
export interface HookContext {
  hook: ResourceHookName
  /** The delivery's job id in runtime.db (the same when delivered again). */
  jobId: number
  attempt: number
  changedBy: string | null
  log: SdkLogger
  signal: AbortSignal
}
