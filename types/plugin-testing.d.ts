/**
 * Types of `app/plugin/testing`, the test host of `app plugin test` (DESIGN section 5b, "Writing, testing and
 * running a plugin"). A test file of a plugin imports it:
 *
 *   import { createTestHost } from 'app/plugin/testing'
 *   const host = await createTestHost()              // publishes and loads the plugin this test belongs to
 *   await host.resources.add({ id: 'i-1', type: 'instance', state: 'stopped' })
 *   const run = await host.runBot({ resourceTypes: ['instance'], filters: [...], action: { uid: '...' } })
 *   await host.close()
 */
import type { EventRecord, PluginSettingValue, Resource, ResourceChange, ResourceHookName } from 'app/plugin'

/** A resource to add: only `id` and `type` are required (the others default to '' and {}); a null tag or property removes it. */
export interface ResourceInput {
  id: string
  type: string
  cloud?: string
  account?: string
  region?: string
  name?: string
  state?: string
  tags?: Record<string, string | null>
  properties?: Record<string, unknown>
}

export interface TestHostOptions {
  /** The plugin folder (or single-file plugin); default: the plugin whose tests `app plugin test` runs. */
  plugin?: string
  /** Settings of the plugin, set before it loads and checked against its manifest (a secret as env:NAME or file:/path). */
  settings?: Record<string, PluginSettingValue | null>
  /** Resources in the inventory before the plugin loads (merged as `app resources import` does). */
  resources?: ResourceInput[]
  /** How long a job, hook, bot run or route may take (default 30000 ms). */
  timeoutMs?: number
}

/** A bot to run once: as in a bots file; `name` defaults to "test-bot", filter and action settings to {}. */
export interface TestBot {
  name?: string
  resourceTypes: string[]
  filters?: Array<{ queryId: string; settings?: Record<string, unknown> }>
  action: { uid: string; settings?: Record<string, unknown> }
}

export interface BotRun {
  /** The resources every filter matched (the action got them). */
  matches: Resource[]
  /** The other resources of the bot's types. */
  nonMatches: Resource[]
  /** Events the action scheduled during the run (ScheduledEventTracker). */
  events: EventRecord[]
}

/** One job a runDueJobs() or fireHook() ran: a scheduled event, a plugin job run, a hook delivery or a bot run. */
export interface JobRun {
  id: number
  eventType: string
  description: string | null
  outcome: 'done' | 'failed'
  /** Why it failed (the stack), or null. */
  error: string | null
  /** A failed job that is retried later (not after PermanentError, nor after jobs.maxAttempts). */
  willRetry: boolean
}

/** A warning of the plugin, as `app plugins warnings` shows it. */
export interface TestWarning {
  code: string
  severity: 'error' | 'warning' | 'info'
  plugin: string | null
  version: string | null
  message: string
  detail: string | null
  /** 'ingest' (the publish, dry run included), 'settings', or the process that saw it. */
  where: string[]
  count: number
  firstSeen: string
  lastSeen: string
}

/** One log line of the plugin (its `log`, ctx.log or console.*, or the host's line about it), as the host's logger wrote it. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
  msg?: string
  plugin: string
  version: string
  time: number
  [key: string]: unknown
}

export interface TestHost {
  /** The plugin as published. */
  readonly plugin: { name: string; version: string }
  /** The temporary data directory (plugins.db, runtime.db); removed by close(). */
  readonly dataDir: string
  /** The inventory (runtime.db). add() merges as `app resources import` does, raising the plugin's hooks (run them with runDueJobs()). */
  readonly resources: {
    add(...resources: Array<ResourceInput | ResourceInput[]>): Promise<Resource[]>
    get(id: string): Promise<Resource | null>
    find(query?: { type?: string; cloud?: string; region?: string; state?: string; tags?: Record<string, string> }): Promise<Resource[]>
  }
  /** The plugin's `storage`, to seed it or to look at what the plugin kept. */
  readonly storage: {
    get<T = unknown>(key: string): Promise<T | undefined>
    set(key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>
    delete(key: string): Promise<boolean>
    list(prefix?: string): Promise<string[]>
  }
  /** The plugin's settings, checked against its manifest as `app plugins settings <name> set` checks them; null unsets. */
  readonly settings: {
    set(key: string, value: PluginSettingValue | null): Promise<void>
    set(values: Record<string, PluginSettingValue | null>): Promise<void>
  }
  /**
   * Applies the bot (checked as `app bots apply` checks it) and runs it once as a worker does: the resources of
   * its types, every filter, then the action. Throws what the filter or action threw.
   */
  runBot(bot: TestBot): Promise<BotRun>
  /**
   * Fires the schedules due (plugin jobs, recurring events, bot schedules) and runs every job due, as a worker
   * would, until none is left; `now` runs them as of a later time (a job every 2 minutes: `{ now: Date.now() + 120_000 }`).
   * A failure is in the result (and in `warnings`), not thrown.
   */
  runDueJobs(options?: { now?: Date | number | string }): Promise<JobRun[]>
  /** Delivers one resource hook to the plugin as a worker does (`changes` defaults to the difference); throws what the handler threw. */
  fireHook(
    name: ResourceHookName,
    change: { resource: ResourceInput; previous?: ResourceInput | null; changes?: ResourceChange['changes']; changedBy?: string | null },
  ): Promise<JobRun>
  /**
   * A request to the web role's app: `/plugin/<name>/...` (or a path relative to it, such as 'status'), signed in
   * as the admin (Bearer token) unless `signedIn: false`.
   */
  request(path: string, init?: RequestInit & { signedIn?: boolean }): Promise<Response>
  /** The plugin's warnings (publish, load, run time, settings), as of the last host call. */
  readonly warnings: TestWarning[]
  /** The plugin's log lines since the host loaded it, oldest first. */
  readonly logs: LogLine[]
  /** Unloads the plugin and removes the temporary data directory. */
  close(): Promise<void>
}

/**
 * Publishes the plugin into a temporary data directory the way the scheduler does (TypeScript compiled, the dry
 * run), loads it in this process with the real loader and runtime.db, and returns the host to drive it with.
 * Throws when the plugin does not publish or load, with its errors.
 */
export declare function createTestHost(options?: TestHostOptions): Promise<TestHost>
