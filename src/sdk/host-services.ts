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
