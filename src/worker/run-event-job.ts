import type { Logger } from '../log/create-logger.ts'
import type { HostServices, Resource } from '../sdk/host-services.ts'
import type { ClaimedJob } from '../queue/job-types.ts'
import type { PluginHandlers } from '../loader/plugin-handlers.ts'

/**
 * Runs one scheduled event: `run(ctx)` of the class its plugin registered for the type.
 * `onHandler` is told whose code runs from the moment run(ctx) is called: a failure
 * after that is the plugin's (a RUNTIME_ERROR), one before it is the host's.
 */
export async function runEventJob(
  job: ClaimedJob,
  {
    handlers,
    services,
    log,
    signal,
    onHandler,
  }: {
    handlers: PluginHandlers
    services: HostServices
    log: Logger
    signal: AbortSignal
    onHandler?: (owner: { plugin: string; version: string }) => void
  },
): Promise<void> {
  const handler = handlers.eventType(job.eventType)
  // Claims take the types any thread registered; during a --reload one thread may not have it yet.
  if (!handler)
    throw new Error(
      `no loaded plugin registers event type "${job.eventType}" in this handler thread; registered: ${handlers.ids().eventTypes.join(', ') || 'none'}`,
    )
  const resource: Resource | null = job.resource ? await services.resources.get(job.resource) : null
  if (job.resource && !resource)
    log.warn({ job: job.id, eventType: job.eventType, resource: job.resource }, 'the resource of this event is no longer in the inventory')
  let jobLog: Logger | undefined
  const ctx = {
    event: {
      id: job.id,
      eventType: job.eventType,
      description: job.description,
      bot: job.bot,
      resource: job.resource,
      payload: job.payload,
      attempt: job.attempt,
      runAt: new Date(job.runAt).toISOString(),
    },
    resources: resource ? [resource] : [],
    resource,
    // The same tags as the plugin's own `log` (plugin, version), plus the job. Made when first used: most
    // handlers never log, and a child logger per event was a measurable share of a no-op event's time.
    get log(): Logger {
      jobLog ??= log.child({
        plugin: handler.plugin,
        version: handler.version,
        job: job.id,
        eventType: job.eventType,
        attempt: job.attempt,
      })
      return jobLog
    },
    signal,
  }
  onHandler?.({ plugin: handler.plugin, version: handler.version })
  await handler.run(ctx)
}
