import type { Logger } from '../log/create-logger.ts'
import { describeError } from '../loader/with-timeout.ts'
import { PluginCodeError } from '../loader/plugin-code-error.ts'
import { BOT_RUN, type ClaimedJob, type JobResult } from '../queue/job-types.ts'
import type { HostServices } from '../sdk/host-services.ts'
import { runBot } from '../bots/run-bot.ts'
import type { PluginHandlers } from '../loader/plugin-handlers.ts'
import { runEventJob } from './run-event-job.ts'
import { isHookJob, isPluginJob, jobLabel, type RunnerRuntime, runHookJob, runPluginJob } from './run-plugin-job.ts'
import { isPermanentError } from '../sdk/permanent-error.ts'

/** Why a handler's AbortSignal fired when this worker's claim on the job is gone: not the handler's failure. */
export class ClaimLost extends Error {}

interface Owner {
  plugin: string
  version: string
}

export interface JobRunnerOptions {
  handlers: PluginHandlers
  services: HostServices
  runtime: RunnerRuntime
  log: Logger
  timeoutMs: number
  /** Float64Array(2) shared with the pool: [id of the job running now (0: none), its start time]. */
  current: Float64Array
  /** role@host:pid, for the RUNTIME_ERROR rows. */
  where: string
  stopping(): boolean
  /** Index of a bot's filter or action ('filter "id"') in the list the thread gave the pool; -1 when unknown. */
  codeIndex?(what: string): number
}

/**
 * Runs one claimed job at a time in a handler thread: an event's run(ctx) or a
 * bot run, with an AbortSignal and a timeout. A failure of the plugin's own code
 * (once its run(ctx) was called) is recorded as a RUNTIME_ERROR of that plugin;
 * a handler stopped by a shutdown or a lapsed claim is `released`, not failed.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: runs every kind of job (event, bot run, plugin job, hook) with one set of timeouts and results
export function createJobRunner(o: JobRunnerOptions) {
  let active: { job: ClaimedJob; ac: AbortController } | null = null

  const record = (owner: Owner, job: ClaimedJob, error: unknown, timedOut: boolean) => {
    const e = error === undefined ? null : describeError(error)
    const label = jobLabel(job.eventType)
    const fn = label.startsWith('event type') ? 'run(ctx)' : 'its handler'
    const message = timedOut
      ? `${label}: ${fn} did not finish within jobs.timeoutMs (${o.timeoutMs} ms)${e ? '' : ' (it returned only after its AbortSignal fired)'}; the job failed. Make ${fn} return sooner or honour ctx.signal, or raise jobs.timeoutMs`
      : `${label}: ${fn} threw ${e!.message}`
    save(owner, message, e?.detail ?? null)
  }
  const save = (owner: Owner, message: string, detail: string | null) => {
    void o.runtime.errors.record({ ...owner, message, detail, where: o.where }).then((ok) => {
      if (!ok) o.log.warn({ plugin: owner.plugin }, 'could not record a run-time error (database busy)')
    })
  }

  const run = async (job: ClaimedJob): Promise<JobResult> => {
    const ac = new AbortController()
    active = { job, ac }
    let owner: Owner | null = null
    const timer = setTimeout(() => ac.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs)
    const jobLog = () => o.log.child({ job: job.id, eventType: job.eventType, attempt: job.attempt })
    const started = Date.now()
    const result = (outcome: JobResult['outcome'], error?: string): JobResult => ({
      id: job.id,
      token: job.token,
      attempt: job.attempt,
      outcome,
      error,
      ms: Date.now() - started,
    })
    // Stopped by a shutdown, or its claim lapsed: not a failure of the handler, and not an attempt.
    const released = () => (o.stopping() && ac.signal.aborted) || ac.signal.reason instanceof ClaimLost
    o.current[1] = started
    o.current[0] = job.id
    try {
      if (job.eventType === BOT_RUN)
        await runBot(job, {
          handlers: o.handlers,
          services: o.services,
          log: jobLog(),
          signal: ac.signal,
          mark: (what) => {
            o.current[2] = what ? (o.codeIndex?.(what) ?? -1) + 1 : 0
          },
        })
      else if (isPluginJob(job.eventType) || isHookJob(job.eventType)) {
        // Plugin jobs and hooks take the same context; each names the handler it ran, for RUNTIME_ERROR.
        const work = {
          handlers: o.handlers,
          runtime: o.runtime,
          log: o.log,
          signal: ac.signal,
          onHandler: (h: typeof owner) => (owner = h),
        }
        await (isPluginJob(job.eventType) ? runPluginJob(job, work) : runHookJob(job, work))
      } else
        await runEventJob(job, {
          handlers: o.handlers,
          services: o.services,
          log: o.log,
          signal: ac.signal,
          onHandler: (h) => {
            owner = h
          },
        })
      if (released()) return result('released')
      if (ac.signal.aborted) {
        if (owner) record(owner, job, undefined, true)
        return result(
          'failed',
          `${job.eventType}: ${(ac.signal.reason as Error).message}; the handler returned after its AbortSignal fired, so the job is not counted as done`,
        )
      }
      return result('done')
    } catch (error) {
      if (o.stopping() || released()) return result('released')
      // PermanentError (also as the cause of a filter's wrapped error): retrying cannot fix it, so the job fails now.
      const permanent = !ac.signal.aborted && permanentIn(error)
      // A bot's filter or action failed: its plugin is named in the log line, the job error and a RUNTIME_ERROR.
      const failed = error instanceof PluginCodeError ? error : null
      const message = failed
        ? failed.timedOut
          ? failed.message
          : `${failed.message}\n${describe(failed.cause)}`
        : ac.signal.aborted
          ? `${job.eventType}: ${(ac.signal.reason as Error).message}: ${describe(error)}`
          : describe(error)
      jobLog().warn(
        {
          err: failed && !failed.timedOut ? failed.cause : error,
          permanent,
          ...(failed && { plugin: failed.plugin, version: failed.version }),
        },
        permanent ? 'handler failed with PermanentError: not retried' : failed ? failed.message : 'handler failed',
      )
      if (failed)
        save(
          { plugin: failed.plugin, version: failed.version },
          failed.warning,
          failed.timedOut ? null : describeError(failed.cause).detail,
        )
      else if (owner) record(owner, job, error, ac.signal.aborted)
      return permanent ? { ...result('failed', `not retried (PermanentError): ${message}`), permanent } : result('failed', message)
    } finally {
      clearTimeout(timer)
      o.current[2] = 0
      o.current[0] = 0
      active = null
    }
  }

  return {
    run,
    /** The job running now, if any. */
    active: () => active?.job ?? null,
    /** Fires the running handler's AbortSignal (a shutdown: Error; a lapsed or revoked claim: ClaimLost). */
    abort(reason: Error): void {
      if (active && !active.ac.signal.aborted) active.ac.abort(reason)
    },
  }
}

/** A PermanentError, or an error caused (error.cause, a few levels down) by one. */
function permanentIn(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (isPermanentError(e)) return true
  return false
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return `non-Error thrown: ${JSON.stringify(error) ?? String(error)}`
}
