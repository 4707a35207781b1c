import type { NewJob } from '../queue/job-types.ts'
import type { BotEventRequest, ScheduleData } from '../sdk/host-services.ts'
import { checkScheduleData, firstRunAt } from './schedule-data.ts'
import type { NewSchedule } from './schedule-writer.ts'

/**
 * ScheduledEventTracker.run's requests (HostServices.scheduleBotEvents) as rows, the same on every backend:
 * a once-event is a job keyed by bot, resource, type and time; a recurring one a schedule keyed by bot,
 * resource, type and schedule, so scheduling it again changes nothing. Every request is checked before any
 * row is made: the block commits whole or not at all.
 */
export function planBotEvents(requests: BotEventRequest[], owner: string, now: number): { jobs: NewJob[]; schedules: NewSchedule[] } {
  const jobs: NewJob[] = []
  const schedules: NewSchedule[] = []
  requests.forEach((request, i) => {
    const r = checkRequest(request, i)
    if (r.scheduleData.kind === 'once') {
      const runAt = Date.parse(r.scheduleData.at)
      jobs.push({
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
      schedules.push({
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
  return { jobs, schedules }
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
