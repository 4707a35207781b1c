import { findEvents } from './find-events.ts'
import { resolve } from 'node:path'
import type { Db } from '../store/open-database.ts'
import type { HostServices, Resource, ResourcePatch } from '../sdk/host-services.ts'
import { createJobAdmin } from '../queue/job-admin.ts'
import { toBot, toResource, type BotRow, type ResourceRow } from '../resources/resource-rows.ts'
import { planBotEvents } from '../schedules/bot-event-requests.ts'
import type { ScheduleStore } from '../schedules/schedule-port.ts'
import { createSqliteSchedules } from '../schedules/sqlite-schedules.ts'
import { createSettingsReader } from '../settings/settings-store.ts'
import { createInventoryWriter } from '../resources/inventory-writer.ts'
import { createPluginStorage, DEFAULT_STORAGE_BYTES } from '../storage/plugin-storage.ts'

/**
 * HostServices over runtime.db: what DbObjects and ScheduledEventTracker use.
 * Each handler thread builds one over its own connection.
 */
export function createHostServices(db: Db, options: { role?: string; dataDir?: string | null; storageBytes?: number } = {}): HostServices {
  const q = {
    resource: db.prepare('SELECT * FROM resources WHERE id = ?'),
    bot: db.prepare('SELECT * FROM bots WHERE name = ?'),
    bots: db.prepare('SELECT * FROM bots ORDER BY name'),
  }
  let schedules: ScheduleStore | null = null
  const jobs = createJobAdmin(db)
  // Each change and the hook deliveries it raises commit together (DESIGN 5b).
  const inventory = createInventoryWriter(db)
  const update = db.transaction((id: string, patch: ResourcePatch, actor: string | null): Resource => inventory.patch(id, patch, actor))
  const create = db.transaction((resource: unknown, actor: string | null): Resource => inventory.create(resource, actor))
  const remove = db.transaction((id: string, actor: string | null): boolean => inventory.remove(id, actor) !== null)

  return {
    resources: {
      async get(id) {
        const row = q.resource.get(id) as ResourceRow | undefined
        return row ? toResource(row) : null
      },
      async find(query = {}) {
        const where: string[] = []
        const params: Record<string, string> = {}
        for (const key of ['type', 'cloud', 'region', 'state'] as const) {
          if (query[key] !== undefined) {
            where.push(`${key} = @${key}`)
            params[key] = query[key]
          }
        }
        const rows = db
          .prepare(`SELECT * FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
          .all(params) as ResourceRow[]
        const tags = Object.entries(query.tags ?? {})
        return rows.map(toResource).filter((r) => tags.every(([k, v]) => r.tags[k] === v))
      },
      async update(id, patch, actor = null) {
        return update.immediate(id, patch, actor)
      },
      async create(resource, actor = null) {
        return create.immediate(resource, actor)
      },
      async delete(id, actor = null) {
        return remove.immediate(id, actor)
      },
    },
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
