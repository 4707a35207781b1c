import type { JobAdmin } from '../queue/job-queue.ts'
import type { EventRecord, HostServices } from '../sdk/host-services.ts'

/** DbObjects.events.find over the queue's admin, on either backend: the fields the SDK shows of a job. */
export function findEvents(jobs: Pick<JobAdmin, 'list'>): HostServices['events'] {
  return {
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
  }
}
