import { findEvents } from './find-events.ts'
import { resolve } from 'node:path'
import type { PgPool } from '../postgres/open-postgres.ts'
import type { JobAdmin } from '../queue/job-queue.ts'
import { createPostgresBotReads } from '../resources/postgres-bot-reads.ts'
import { createPostgresInventory } from '../resources/postgres-inventory.ts'
import { planBotEvents } from '../schedules/bot-event-requests.ts'
import { createPostgresSchedules } from '../schedules/postgres-schedules.ts'
import type { HostServices, PluginStorageService } from '../sdk/host-services.ts'

export interface PostgresHostServicesOptions {
  /** The queue's admin on the same pool (DbObjects.events.find). */
  jobs: JobAdmin
  pluginSettings?: HostServices['pluginSettings']
  storage?: PluginStorageService
  role?: string
  dataDir?: string | null
}

/**
 * HostServices over PostgreSQL, as createHostServices is over runtime.db: what DbObjects and
 * ScheduledEventTracker use, on the pool of the role the plugin code runs in (the worker's, as a rule).
 * Settings and storage come from their own adapters, passed in.
 */
export function createPostgresHostServices(pool: PgPool, options: PostgresHostServicesOptions): HostServices {
  const inventory = createPostgresInventory(pool)
  const schedules = createPostgresSchedules(pool)
  return {
    resources: { get: inventory.get, find: inventory.find, update: inventory.update, create: inventory.create, delete: inventory.delete },
    bots: createPostgresBotReads(pool),
    events: findEvents(options.jobs),
    async scheduleBotEvents(requests, owner) {
      // Every request is checked before any is written: the block commits whole or not at all.
      const planned = planBotEvents(requests, owner, Date.now())
      await schedules.add(planned.jobs, planned.schedules)
    },
    pluginSettings: options.pluginSettings,
    storage: options.storage,
    host: { role: options.role ?? 'cli', dataDir: options.dataDir ? resolve(options.dataDir) : null, dryRun: false },
  }
}
