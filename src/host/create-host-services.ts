import { findEvents } from './find-events.ts'
import { resolve } from 'node:path'
import type { Db } from '../store/open-database.ts'
import type { HostServices } from '../sdk/host-services.ts'
import { createJobAdmin } from '../queue/job-admin.ts'
import { toBot, type BotRow } from '../resources/resource-rows.ts'
import { planBotEvents } from '../schedules/bot-event-requests.ts'
import type { ScheduleStore } from '../schedules/schedule-port.ts'
import { createSqliteSchedules } from '../schedules/sqlite-schedules.ts'
import { createSettingsReader } from '../settings/settings-store.ts'
import { createSqliteInventory } from '../resources/sqlite-inventory.ts'
import { createPluginStorage, DEFAULT_STORAGE_BYTES } from '../storage/plugin-storage.ts'

/**
 * HostServices over runtime.db: what DbObjects and ScheduledEventTracker use.
 * Each handler thread builds one over its own connection.
 */
export function createHostServices(db: Db, options: { role?: string; dataDir?: string | null; storageBytes?: number } = {}): HostServices {
  const q = {
    bot: db.prepare('SELECT * FROM bots WHERE name = ?'),
    bots: db.prepare('SELECT * FROM bots ORDER BY name'),
  }
  let schedules: ScheduleStore | null = null
  const jobs = createJobAdmin(db)
  // Each change and the hook deliveries it raises commit together (DESIGN 5b).
  const inventory = createSqliteInventory(db)

  return {
    resources: { get: inventory.get, find: inventory.find, update: inventory.update, create: inventory.create, delete: inventory.delete },
    bots: {
      async get(name) {
        const row = q.bot.get(name) as BotRow | undefined
        return row ? toBot(row) : null
      },
      async list() {
        return (q.bots.all() as BotRow[]).map(toBot)
      },
    },
    events: findEvents(jobs),
    async scheduleBotEvents(requests, owner) {
      // Every request is checked before any is written: the block commits whole or not at all.
      const planned = planBotEvents(requests, owner, Date.now())
      schedules ??= createSqliteSchedules(db) // prepared on first use: most plugin code never schedules
      await schedules.add(planned.jobs, planned.schedules)
    },
    pluginSettings: createSettingsReader(db),
    storage: createPluginStorage(db, { quotaBytes: options.storageBytes ?? DEFAULT_STORAGE_BYTES }),
    host: { role: options.role ?? 'cli', dataDir: options.dataDir ? resolve(options.dataDir) : null, dryRun: false },
  }
}
