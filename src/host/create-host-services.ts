import type { Db } from '../store/open-database.ts'
import type { BotEventRequest, EventRecord, HostServices, Resource, ResourcePatch, ScheduleData } from '../sdk/host-services.ts'
import { createJobAdmin } from '../queue/job-admin.ts'
import { createJobInserter } from '../queue/insert-jobs.ts'
import type { NewJob } from '../queue/job-types.ts'
import { toBot, toResource, type BotRow, type ResourceRow } from '../resources/resource-rows.ts'
import { checkScheduleData, firstRunAt } from '../schedules/schedule-data.ts'
import { createScheduleWriter, type NewSchedule } from '../schedules/schedule-writer.ts'
import { createSettingsReader } from '../settings/settings-store.ts'

/**
 * HostServices over runtime.db: what DbObjects and ScheduledEventTracker use.
 * Each handler thread builds one over its own connection.
 */
export function createHostServices(db: Db): HostServices {
  const q = {
    resource: db.prepare('SELECT * FROM resources WHERE id = ?'),
    updateResource: db.prepare('UPDATE resources SET state = @state, tags = @tags, properties = @properties, updated_at = @now WHERE id = @id'),
    bot: db.prepare('SELECT * FROM bots WHERE name = ?'),
    bots: db.prepare('SELECT * FROM bots ORDER BY name'),
  }
  const insertJobs = createJobInserter(db)
  const schedules = createScheduleWriter(db)
  const jobs = createJobAdmin(db)

  const update = db.transaction((id: string, patch: ResourcePatch): Resource => {
    const row = q.resource.get(id) as ResourceRow | undefined
    if (!row) throw new Error(`DbObjects.resources.update: no resource with id "${id}"; import it with \`app resources import\` first.`)
    const current = toResource(row)
    const next = {
      state: patch.state ?? current.state,
      tags: { ...current.tags, ...patch.tags },
      properties: { ...current.properties, ...patch.properties },
    }
    if (typeof next.state !== 'string') throw new Error(`DbObjects.resources.update: state must be a string; found ${JSON.stringify(patch.state)}`)
    q.updateResource.run({ id, state: next.state, tags: JSON.stringify(next.tags), properties: JSON.stringify(next.properties), now: new Date().toISOString() })
    return { ...current, ...next }
  })

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
          if (query[key] !== undefined) { where.push(`${key} = @${key}`); params[key] = query[key] }
        }
        const rows = db.prepare(`SELECT * FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`).all(params) as ResourceRow[]
        const tags = Object.entries(query.tags ?? {})
        return rows.map(toResource).filter((r) => tags.every(([k, v]) => r.tags[k] === v))
      },
      async update(id, patch) {
        return update.immediate(id, patch)
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
        return records.map(({ id, eventType, description, bot, resource, payload, status, runAt, attempts, lastError }) =>
          ({ id, eventType, description, bot, resource, payload, status, runAt, attempts, lastError }))
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
          jobRows.push({ eventType: r.eventType, description: r.description, bot: r.bot, resource: r.resource, payload: r.payload, runAt, owner,
            idempotencyKey: JSON.stringify(['event', r.bot, r.resource, r.eventType, runAt]) })
        } else {
          scheduleRows.push({ key: JSON.stringify(['event', r.bot, r.resource, r.eventType, r.scheduleData]), eventType: r.eventType, bot: r.bot,
            resource: r.resource, description: r.description, payload: r.payload, schedule: r.scheduleData, nextRunAt: firstRunAt(r.scheduleData, now), owner })
        }
      })
      schedule.immediate(jobRows, scheduleRows)
    },
    pluginSettings: createSettingsReader(db),
  }
}

function checkRequest(request: BotEventRequest, i: number) {
  const where = `scheduleBotEvent #${i + 1}${typeof request?.eventType === 'string' ? ` (${request.eventType})` : ''}`
  if (typeof request !== 'object' || request === null) throw new Error(`${where}: expected an object {bot, resource, description, eventType, scheduleData}; found ${String(request)}`)
  const bot = typeof request.bot === 'string' ? request.bot : request.bot?.name
  const resource = typeof request.resource === 'string' ? request.resource : request.resource?.id
  if (typeof bot !== 'string' || !bot) throw new Error(`${where}: bot must be a bot or a bot name; found ${JSON.stringify(request.bot)}`)
  if (typeof resource !== 'string' || !resource) throw new Error(`${where}: resource must be a resource or a resource id; found ${JSON.stringify(request.resource)?.slice(0, 120)}`)
  if (typeof request.eventType !== 'string' || !request.eventType) throw new Error(`${where}: eventType must be the id of a registered event type, such as "custom.start_resource"; found ${JSON.stringify(request.eventType)}`)
  if (request.description !== undefined && typeof request.description !== 'string') throw new Error(`${where}: description must be a string; found ${JSON.stringify(request.description)}`)
  const scheduleData: ScheduleData = checkScheduleData(request.scheduleData, `${where}: scheduleData`)
  let payload: unknown = request.payload
  if (payload !== undefined) {
    try { payload = JSON.parse(JSON.stringify(payload)) } catch (cause) { throw new Error(`${where}: payload must be JSON-serializable: ${(cause as Error).message}`, { cause }) }
  }
  return { bot, resource, eventType: request.eventType, description: request.description ?? null, scheduleData, payload }
}
