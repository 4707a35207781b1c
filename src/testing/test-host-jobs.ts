import type { Logger } from '../log/create-logger.ts'
import type { PluginHandlers } from '../loader/plugin-handlers.ts'
import { createJobQueue } from '../queue/create-job-queue.ts'
import { createSqliteJobStore } from '../queue/sqlite-job-store.ts'
import type { ClaimedJob, JobResult } from '../queue/job-types.ts'
import { createScheduleFirer } from '../schedules/fire-schedules.ts'
import { createSqliteRuntimeErrors } from '../runtime/sqlite-runtime-errors.ts'
import type { HostServices, Resource } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import { createJobRunner } from '../worker/job-runner.ts'

/** One job the test host ran (the result of runDueJobs and fireHook). */
export interface JobRun {
  id: number
  eventType: string
  description: string | null
  outcome: 'done' | 'failed'
  error: string | null
  willRetry: boolean
}

/** Jobs that keep failing and being due again at once (a clock far ahead) must not loop forever. */
const MAX_ROUNDS = 100

type Fn = (...args: never[]) => unknown

/**
 * The worker's way of running jobs, in this process: the same job runner
 * (event run(ctx), plugin jobs, hook deliveries, bot runs; RUNTIME_ERROR on a
 * failure of plugin code) over the same queue (claim, complete, retry with
 * backoff). `lastError` is the last error plugin code threw, as it threw it,
 * for a test to see its own stack rather than the job's summary.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the test host's job runs (bots, due jobs, hooks) share one queue and runner
export function createTestJobs(o: {
  runtime: Db
  handlers: PluginHandlers
  services: HostServices
  logger: Logger
  timeoutMs: number
  maxAttempts: number
  owner: string
  where: string
}) {
  let lastError: unknown = null
  /** Told what each action call got as matches (host.runBot reports them). */
  let onMatches: ((matches: Resource[]) => void) | null = null
  const catching = <F extends Fn>(fn: F): F =>
    ((...args: Parameters<F>) => {
      try {
        const value = fn(...args)
        return value instanceof Promise
          ? value.catch((error: unknown) => {
              lastError = error
              throw error
            })
          : value
      } catch (error) {
        lastError = error
        throw error
      }
    }) as F
  const h = o.handlers
  const handlers: PluginHandlers = {
    ...h,
    eventType: (id) => {
      const e = h.eventType(id)
      return e && { ...e, run: catching(e.run) }
    },
    query: (id) => {
      const e = h.query(id)
      return e && { ...e, fn: catching(e.fn) }
    },
    action: (uid) => {
      const e = h.action(uid)
      const fn = e && catching(e.fn)
      return (
        e && {
          ...e,
          fn: (bot, settings, matches, non) => {
            onMatches?.(matches)
            return fn!(bot, settings, matches, non)
          },
        }
      )
    },
    pluginJob: (type) => {
      const e = h.pluginJob(type)
      return e && { ...e, handler: catching(e.handler) }
    },
    hooks: (type) => h.hooks(type).map((e) => ({ ...e, handler: catching(e.handler) })),
  }
  const runner = createJobRunner({
    handlers,
    services: o.services,
    runtime: { errors: createSqliteRuntimeErrors(o.runtime), jobs: createSqliteJobStore(o.runtime) },
    log: o.logger,
    timeoutMs: o.timeoutMs,
    current: new Float64Array(3),
    where: o.where,
    stopping: () => false,
  })
  const fire = createScheduleFirer(o.runtime)
  const toRun = (job: ClaimedJob, r: JobResult): JobRun => ({
    id: job.id,
    eventType: job.eventType,
    description: job.description,
    outcome: r.outcome === 'done' ? 'done' : 'failed',
    error: r.error ?? null,
    willRetry: r.outcome === 'failed' && !r.permanent && r.attempt < o.maxAttempts,
  })

  /** Claims and runs the jobs due at `at` (of `types`, and bot runs) until none is left, completing each batch as a worker does. */
  async function runDue(types: string[], at: number): Promise<JobRun[]> {
    const queue = createJobQueue(o.runtime, {
      owner: o.owner,
      leaseMs: o.timeoutMs * 2,
      maxAttempts: o.maxAttempts,
      clock: () => Math.max(at, Date.now()),
    })
    const runs: JobRun[] = []
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claimed = await queue.claim(20, JSON.stringify(types))
      if (!claimed.length) break
      const results: JobResult[] = []
      for (const job of claimed) {
        const result = await runner.run(job)
        results.push(result)
        runs.push(toRun(job, result))
      }
      await queue.complete(results)
    }
    return runs
  }

  return {
    handlers,
    /** Runs one job held in memory (a bot run) as the runner would; `thrown`: what plugin code threw, if it failed. */
    async runOne(job: ClaimedJob, observe: (matches: Resource[]) => void): Promise<{ result: JobResult; thrown: unknown }> {
      lastError = null
      onMatches = observe
      try {
        const result = await runner.run(job)
        return { result, thrown: result.outcome === 'failed' ? lastError : null }
      } finally {
        onMatches = null
      }
    },
    /** Fires the schedules due at `at`, then runs every due job of the types the plugin handles. */
    async runDueJobs(at: number): Promise<JobRun[]> {
      await fire(at)
      return runDue(h.ids().eventTypes, at)
    },
    /** Runs the due jobs of one type (and remembers the last error plugin code threw). */
    async runType(type: string): Promise<{ runs: JobRun[]; thrown: unknown }> {
      lastError = null
      const runs = await runDue([type], Date.now())
      return { runs, thrown: lastError }
    },
  }
}
