// Types only: the loader's shapes, imported by its modules and the roles without an import cycle.
import type { Hono } from 'hono'
import type { Logger } from '../log/create-logger.ts'
import type { LoadReport } from '../runtime/process-registry.ts'
import type {
  Bot,
  HookContext,
  HostServices,
  JobContext,
  Resource,
  ResourceChange,
  ResourceHookName,
  ScheduleData,
} from '../sdk/host-services.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Generation, Warning } from '../store/store-types.ts'

/**
 * The loader's public API: what roles, handler threads and the web app build
 * on. `loadPlugins()` materializes and loads one generation's plugins in this
 * thread and returns a PluginHost that answers "who registered what".
 */

export interface LoadPluginsOptions {
  /** The generation to load: as read by the caller (one transaction), or its id, or null for "no plugins". */
  generation: Generation | number | null
  /** plugins.db; when absent it is opened read-only from dataDir for the load and closed after. */
  store?: StoreReader | null
  /** Holds cache/<sha256>/ where bundles are materialized. */
  dataDir: string
  /**
   * Where a bundle's files are, written there first if need be, when something other than `store` fetches
   * them (on PostgreSQL, a cache that fetches each bundle once per host). Absent: written from `store`.
   */
  bundleDir?: (sha256: string) => Promise<string>
  /** What DbObjects and ScheduledEventTracker call; null: those SDK calls throw a clear error. */
  services: HostServices | null
  /** Per import and per load()/unload(); default 10 s (config loader.loadTimeoutMs). */
  timeoutMs?: number
  logger?: Logger
  /** Track timers, sockets and servers plugins create, to name what unload() left running (UNLOAD_LEAK). Costs speed: on for the dry run and --reload. */
  trackHandles?: boolean
  /** Catch unhandled rejections and uncaught exceptions of plugin code as warnings instead of crashing (default true). */
  guardProcess?: boolean
}

/** A load warning as runtime.db keeps it (DESIGN section 6). */
export interface LoadWarning extends Warning {
  firstSeen: string
  lastSeen: string
  count: number
}

/** A load report (what proc.reportLoad stores in runtime.db), its warnings with first/last seen and count. */
export type HostLoadReport = Omit<LoadReport, 'warnings'> & { warnings: LoadWarning[] }

/** A setting of a filter or action, as the plugin declared it (`default` fills settings a bot leaves out). */
export interface SettingConfig {
  name: string
  type?: string
  default?: unknown
  [key: string]: unknown
}

export interface QueryEntry {
  plugin: string
  version: string
  queryId: string
  name: string
  supportedResources: string[]
  settingsConfig: SettingConfig[]
  /** False when the plugin gave no settingsConfig at all: its settings are free-form, and `bots apply` checks no keys. */
  settingsDeclared?: boolean
  /** Settings defaults from settingsConfig. */
  defaults: Record<string, unknown>
  fn(resource: Resource, settings: Record<string, unknown>): boolean | Promise<boolean>
}

export interface ActionEntry {
  plugin: string
  version: string
  uid: string
  name: string
  bulkAction: boolean
  acceptsComplement: boolean
  settingsConfig: SettingConfig[]
  /** False when the plugin gave no settingsConfig at all: its settings are free-form, and `bots apply` checks no keys. */
  settingsDeclared?: boolean
  defaults: Record<string, unknown>
  fn(bot: Bot, settings: Record<string, unknown>, matches: Resource[], nonMatches: Resource[]): void | Promise<void>
}

/** What run(ctx) of an event job receives (DESIGN section 5). */
export interface EventContext {
  event: {
    id: number
    eventType: string
    description: string | null
    bot: string | null
    payload: unknown
    attempt: number
    [key: string]: unknown
  }
  resources: Resource[]
  log: Logger
  signal: AbortSignal
  [key: string]: unknown
}

export interface EventTypeEntry {
  plugin: string
  version: string
  id: string
  /** The class (or function) the plugin registered. */
  job: unknown
  /** Builds the job and awaits its run(ctx). */
  run(ctx: EventContext): Promise<void>
}

export interface BlueprintEntry {
  plugin: string
  version: string
  app: Hono
  /** Paths (relative to /plugin/<name>) anyone may call without the admin sign-in: registerApiBlueprint(app, { public }). */
  public?: string[]
  /** Runs fn in the plugin's context (its console calls, escaped errors and handles are the plugin's). */
  enter?: <T>(fn: () => T) => T
}

/** A plugin's periodic job (jobs.schedule); `type` is its queue event type, pluginJobType(plugin, id). */
export interface PluginJobEntry {
  plugin: string
  version: string
  id: string
  type: string
  schedule: ScheduleData
  handler(ctx: JobContext): unknown
}

/** One hooks.on(hook, handler) of a plugin; `type` is the queue event type of its deliveries, hookJobType(plugin, hook). */
export interface HookEntry {
  plugin: string
  version: string
  hook: ResourceHookName
  type: string
  handler(change: Omit<ResourceChange, never>, ctx: HookContext): unknown
}

export interface FrontendEntry {
  plugin: string
  version: string
  /** Bundle hash: the files' cache directory name, usable as an ETag. */
  sha256: string
  /** In manifest order; `file` is the absolute path in data/cache/<sha256>/. */
  files: Array<{ path: string; file: string; sha256: string; size: number }>
}

/** What a plugin registered: stored as plugin_versions.registered by the dry run, shown by `app plugins show`. */
export interface RegisteredSummary {
  /** settingsConfig: as registered, or null when the plugin gave none (free-form settings). Absent in versions published before it was recorded. */
  filters: Array<{ queryId: string; name: string; supportedResources: string[]; settingsConfig?: SettingConfig[] | null }>
  actions: Array<{ uid: string; name: string; bulkAction: boolean; acceptsComplement: boolean; settingsConfig?: SettingConfig[] | null }>
  eventTypes: string[]
  /** "GET /plugin/<name>/status" */
  routes: string[]
  frontend: string[]
  /** jobs.schedule registrations: the scheduler keeps one schedule per (plugin, id) from these. Absent in versions published before. */
  jobs?: Array<{ id: string; schedule: ScheduleData }>
  /** Hooks subscribed with hooks.on: the scheduler keeps the subscriptions the inventory writers raise from these. */
  hooks?: ResourceHookName[]
}

export interface RegistryView<T> {
  get(id: string): T | undefined
  ids(): string[]
  entries(): T[]
}

export interface LoadedPluginInfo {
  plugin: string
  version: string
  /** Store id of the plugin version. */
  versionId: number
  sha256: string
  dir: string
}

export interface ReloadResult {
  generation: number | null
  loaded: string[]
  unloaded: string[]
  /** New versions that failed: the old version (if any) keeps running. */
  failed: string[]
}

export interface PluginHost {
  /** The generation this host loaded last. */
  readonly generation: number | null
  /** One report per plugin of the generation: loaded / failed / skipped (status error in the store) / unloaded. */
  reports(): HostLoadReport[]
  queries: RegistryView<QueryEntry>
  actions: RegistryView<ActionEntry>
  eventTypes: RegistryView<EventTypeEntry>
  /** jobs.schedule handlers, by pluginJobType(plugin, id). */
  jobs: RegistryView<PluginJobEntry>
  /** hooks.on handlers, by `<hookJobType(plugin, hook)>#<n>` (a plugin may have several per hook). */
  hooks: RegistryView<HookEntry>
  /** Each plugin's registerApiBlueprint apps, in plugin name order; the web role mounts them at /plugin/<name>/. */
  blueprints(): BlueprintEntry[]
  /** Frontend files of loaded plugins, in plugin name order. */
  frontend(): FrontendEntry[]
  registered(plugin: string): RegisteredSummary | null
  plugins(): LoadedPluginInfo[]
  /** --reload: unload what changed or disappeared, load new versions; a failed new version keeps the old one running. */
  reload(generation: Generation | number): Promise<ReloadResult>
  /** Called after a reload and when a new warning is recorded (e.g. an unhandled error from plugin code). */
  onChange(listener: () => void): () => void
  /** unload() every plugin, undo its registrations (LIFO). */
  unloadAll(): Promise<void>
}
