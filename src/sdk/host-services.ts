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

export interface ResourcePatch {
  state?: string
  tags?: Record<string, string>
  properties?: Record<string, unknown>
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
    update(id: string, patch: ResourcePatch): Promise<Resource>
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
}
