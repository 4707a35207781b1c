import type { BotStore } from '../bots/bot-port.ts'
import type { HookSubscriptionsPort } from '../hooks/hook-subscriptions-port.ts'
import type { JobStore } from '../queue/job-queue.ts'
import type { Inventory } from '../resources/inventory-port.ts'
import type { ConsoleStore } from '../runtime/console-port.ts'
import type { ProcessRegistryPort } from '../runtime/process-registry-port.ts'
import type { RuntimeErrors } from '../runtime/runtime-errors-port.ts'
import type { ScheduleStore } from '../schedules/schedule-port.ts'
import type { HostServices } from '../sdk/host-services.ts'
import type { SettingsPort } from '../settings/settings-port.ts'
import type { PluginStoragePort } from '../storage/plugin-storage-port.ts'
import type { Db } from '../store/open-database.ts'
import type { SessionLimits } from '../sessions/session-store.ts'
import type { WebSessions } from '../sessions/session-port.ts'

export type BackendKind = 'sqlite' | 'postgres'

export interface HostServicesOptions {
  role: string
  dataDir: string | null
  storageBytes: number
}

/**
 * The runtime tables (runtime.db, or the `runtime` schema on PostgreSQL) behind one object of ports: what
 * every role and command uses instead of SQL. One per process (a handler thread opens its own).
 */
export interface RuntimeBackend {
  readonly kind: BackendKind
  readonly processes: ProcessRegistryPort
  readonly settings: SettingsPort
  readonly hooks: HookSubscriptionsPort
  readonly console: ConsoleStore
  readonly errors: RuntimeErrors
  readonly jobs: JobStore
  readonly inventory: Inventory
  readonly bots: BotStore
  readonly schedules: ScheduleStore
  storage(quotaBytes: number): PluginStoragePort
  sessions(adminToken: string, limits?: SessionLimits): WebSessions
  /** What the SDK of plugins running in this process uses (DbObjects, ScheduledEventTracker, settings, storage). */
  hostServices(options: HostServicesOptions): Promise<HostServices>
  /**
   * SQLite only: the runtime.db connection, for the reports that still read it directly (their PostgreSQL
   * side reads through the ports above). null on PostgreSQL.
   */
  readonly sqlite: Db | null
  close(): Promise<void>
}
