import { parseHookJobType } from '../hooks/hook-names.ts'
import type { Logger } from '../log/create-logger.ts'
import type { ClaimedJob } from '../queue/job-types.ts'
import { parsePluginJobType } from '../schedules/plugin-job-type.ts'
import type { ResourceChange } from '../sdk/host-services.ts'
import type { PluginHandlers } from '../loader/plugin-handlers.ts'
import type { JobStore } from '../queue/job-queue.ts'
import type { RuntimeErrors } from '../runtime/runtime-errors-port.ts'

/** The runtime tables a job runner writes to and reads (a RuntimeBackend has both): run-time errors, and plugin jobs' lastRunAt. */
export interface RunnerRuntime {
  readonly errors: RuntimeErrors
  readonly jobs: Pick<JobStore, 'lastRunAt'>
}

interface RunOptions {
  handlers: PluginHandlers
  runtime: RunnerRuntime
  log: Logger
  signal: AbortSignal
  onHandler?: (owner: { plugin: string; version: string }) => void
}

/** A description of a job for messages: whose job or hook it is (plugin jobs and hooks have host-made event types). */
export function jobLabel(eventType: string): string {
  const job = parsePluginJobType(eventType)
  if (job) return `job "${job.id}"`
  const hook = parseHookJobType(eventType)
  if (hook) return `hook "${hook.hook}"`
  return `event type "${eventType}"`
}

/**
 * A run of a plugin's periodic job (jobs.schedule): the handler gets ctx with log, signal, attempt and
 * lastRunAt (when the last successful run started, or null).
 */
export async function runPluginJob(job: ClaimedJob, o: RunOptions): Promise<void> {
  const entry = o.handlers.pluginJob(job.eventType)
  if (!entry)
    throw new Error(
      `no loaded plugin registers the job behind "${job.eventType}" in this handler thread (the plugin is not loaded here, or no longer calls jobs.schedule for it)`,
    )
  const ctx = Object.freeze({
    id: entry.id,
    jobId: job.id,
    attempt: job.attempt,
    runAt: new Date(job.runAt).toISOString(),
    lastRunAt: iso(await o.runtime.jobs.lastRunAt(job.id)),
    log: o.log.child({ job: job.id, plugin: entry.plugin, pluginJob: entry.id, attempt: job.attempt }),
    signal: o.signal,
  })
  o.onHandler?.({ plugin: entry.plugin, version: entry.version })
  await entry.handler(ctx)
}

/**
 * One delivery of a resource hook to one plugin: each of its handlers for the hook, in registration
 * order, gets ({ resource, previous, changes }, ctx). A throw fails the delivery, which is retried whole
 * (at least once: a handler must bear running again for the same change).
 */
export async function runHookJob(job: ClaimedJob, o: RunOptions): Promise<void> {
  const entries = o.handlers.hooks(job.eventType)
  if (!entries.length)
    throw new Error(
      `no loaded plugin handles the hook delivery "${job.eventType}" in this handler thread (the plugin is not loaded here, or no longer calls hooks.on for it)`,
    )
  const payload = job.payload as ResourceChange & { by?: string | null }
  const first = entries[0]!
  const ctx = Object.freeze({
    hook: first.hook,
    jobId: job.id,
    attempt: job.attempt,
    changedBy: payload.by ?? null,
    log: o.log.child({ job: job.id, plugin: first.plugin, hook: first.hook, resource: payload.resource?.id, attempt: job.attempt }),
    signal: o.signal,
  })
  o.onHandler?.({ plugin: first.plugin, version: first.version })
  const change = { resource: payload.resource, previous: payload.previous, changes: payload.changes }
  for (const [i, entry] of entries.entries()) {
    o.signal.throwIfAborted()
    // Each handler gets its own copy (one cannot change what the next sees); the last gets the original.
    await entry.handler(i === entries.length - 1 ? change : structuredClone(change), ctx)
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const isHookJob = (eventType: string) => parseHookJobType(eventType) !== null
export const isPluginJob = (eventType: string) => parsePluginJobType(eventType) !== null
