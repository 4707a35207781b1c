import { resolve } from 'node:path'
import type { Db } from '../store/open-database.ts'
import type { BotEventRequest, EventRecord, HostServices, Resource, ResourcePatch, ScheduleData } from '../sdk/host-services.ts'
import { createJobAdmin } from '../queue/job-admin.ts'
import { createJobInserter } from '../queue/insert-jobs.ts'
import type { NewJob } from '../queue/job-types.ts'
import { toBot, toResource, type BotRow, type ResourceRow } from '../resources/resource-rows.ts'
import { checkScheduleData, firstRunAt } from '../schedules/schedule-data.ts'
import { createScheduleWriter, type NewSchedule } from '../schedules/schedule-writer.ts'
import { createSettingsReader } from '../settings/settings-store.ts'
import { createInventoryWriter } from '../resources/inventory-writer.ts'
import { createPluginStorage, DEFAULT_STORAGE_BYTES } from '../storage/plugin-storage.ts'

/**
 * HostServices over runtime.db: what DbObjects and ScheduledEventTracker use.
 * Each handler thread builds one over its own connection.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: an object of short methods over one set of prepared statements
export function createHostServices(db: Db, options: { role?: string; dataDir?: string | null; storageBytes?: number } = {}): HostServices {
  const q = {
    resource: db.prepare('SELECT * FROM resources WHERE id = ?'),
    bot: db.prepare('SELECT * FROM bots WHERE name = ?'),
    bots: db.prepare('SELECT * FROM bots ORDER BY name'),
  }
  const insertJobs = createJobInserter(db)
  const schedules = createScheduleWriter(db)
  const jobs = createJobAdmin(db)
  // Each change and the hook deliveries it raises commit together (DESIGN 5b).
  const inventory = createInventoryWriter(db)
  const update = db.transaction((id: string, patch: ResourcePatch, actor: string | null): Resource => inventory.patch(id, patch, actor))
  const create = db.transaction((resource: unknown, actor: string | null): Resource => inventory.create(resource, actor))
  const remove = db.transaction((id: string, actor: string | null): boolean => inventory.remove(id, actor) !== null)

  const schedule = db.transaction((jobRows: NewJob[], scheduleRows: NewSchedule[]) => {
    insertJobs(jobRows)
    for (const s of scheduleRows) schedules.upsert(s)
  })

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
    events: {
      async find(query = {}): Promise<EventRecord[]> {
        const records = await jobs.list({ eventType: query.eventType, status: query.status, limit: 1000 })
        return records.map(({ id, eventType, description, bot, resource, payload, status, runAt, attempts, lastError }) => ({
          id,
          eventType,
          description,
          bot,
          resource,
          payload,
          status,
          runAt,
          attempts,
          lastError,
        }))
      },
    },
    async scheduleBotEvents(requests, owner) {
      const now = Date.now()
      const jobRows: NewJob[] = []
      const scheduleRows: NewSchedule[] = []
      // Check every request before writing any: the block commits whole or not at all.
      requests.forEach((request, i) => {
        const r = checkRequest(request, i)
        if (r.scheduleData.kind === 'once') {
          const runAt = Date.parse(r.scheduleData.at)
          jobRows.push({
            eventType: r.eventType,
            description: r.description,
            bot: r.bot,
            resource: r.resource,
            payload: r.payload,
            runAt,
            owner,
            idempotencyKey: JSON.stringify(['event', r.bot, r.resource, r.eventType, runAt]),
          })
        } else {
          scheduleRows.push({
            key: JSON.stringify(['event', r.bot, r.resource, r.eventType, r.scheduleData]),
            eventType: r.eventType,
            bot: r.bot,
            resource: r.resource,
            description: r.description,
            payload: r.payload,
            schedule: r.scheduleData,
            nextRunAt: firstRunAt(r.scheduleData, now),
            owner,
          })
        }
      })
      schedule.immediate(jobRows, scheduleRows)
    },
    pluginSettings: createSettingsReader(db),
    storage: createPluginStorage(db, { quotaBytes: options.storageBytes ?? DEFAULT_STORAGE_BYTES }),
    host: { role: options.role ?? 'cli', dataDir: options.dataDir ? resolve(options.dataDir) : null, dryRun: false },
  }
}

function checkRequest(request: BotEventRequest, i: number) {
  const where = `scheduleBotEvent #${i + 1}${typeof request?.eventType === 'string' ? ` (${request.eventType})` : ''}`
  if (typeof request !== 'object' || request === null)
    throw new Error(`${where}: expected an object {bot, resource, description, eventType, scheduleData}; found ${String(request)}`)
  const bot = typeof request.bot === 'string' ? request.bot : request.bot?.name
  const resource = typeof request.resource === 'string' ? request.resource : request.resource?.id
  if (typeof bot !== 'string' || !bot) throw new Error(`${where}: bot must be a bot or a bot name; found ${JSON.stringify(request.bot)}`)
  if (typeof resource !== 'string' || !resource)
    throw new Error(`${where}: resource must be a resource or a resource id; found ${JSON.stringify(request.resource)?.slice(0, 120)}`)
  if (typeof request.eventType !== 'string' || !request.eventType)
    throw new Error(
      `${where}: eventType must be the id of a registered event type, such as "custom.start_resource"; found ${JSON.stringify(request.eventType)}`,
    )
  if (request.description !== undefined && typeof request.description !== 'string')
    throw new Error(`${where}: description must be a string; found ${JSON.stringify(request.description)}`)
  const scheduleData: ScheduleData = checkScheduleData(request.scheduleData, `${where}: scheduleData`)
  let payload: unknown = request.payload
  if (payload !== undefined) {
    try {
      payload = JSON.parse(JSON.stringify(payload))
    } catch (cause) {
      throw new Error(`${where}: payload must be JSON-serializable: ${(cause as Error).message}`, { cause })
    }
  }
  return { bot, resource, eventType: request.eventType, description: request.description ?? null, scheduleData, payload }
}
