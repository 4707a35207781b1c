import { parentPort } from 'node:worker_threads'
import { createLogger } from '../log/create-logger.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { BOT_RUN, type ClaimedJob, type JobResult } from '../queue/job-types.ts'
import { createHostServices } from '../host/create-host-services.ts'
import type { FromThread, HandlerThreadData, ToThread } from './handler-protocol.ts'
import { loadPluginHandlers, type PluginHandlers } from './plugin-handlers.ts'
import { runBot } from '../bots/run-bot.ts'
import { runEventJob } from './run-event-job.ts'

/** Results are posted in batches: at most this long after the first of a batch finished. */
const FLUSH_MS = 5

/**
 * A handler thread: loads the plugins itself (with HostServices over its own
 * runtime.db connection), then runs the jobs it is sent, one at a time. The
 * job it is on is written to shared memory so the pool can see a handler that
 * never yields and terminate the thread.
 */
export default async function handlerThread(input: unknown): Promise<void> {
  const data = input as HandlerThreadData
  const port = parentPort!
  const post = (msg: FromThread) => port.postMessage(msg)
  const log = createLogger({ level: data.logLevel, destination: 1 }).child({ role: 'worker', thread: data.index })
  const current = new Float64Array(data.current)
  const runtime = openRuntimeDb(data.dataDir)
  const services = createHostServices(runtime)
  let handlers: PluginHandlers
  try {
    handlers = await loadPluginHandlers({ dataDir: data.dataDir, generation: data.generation, services, loadTimeoutMs: data.loadTimeoutMs, logger: log })
  } catch (error) {
    post({ type: 'fatal', error: (error as Error)?.stack ?? String(error) })
    runtime.close()
    return
  }
  const ready = () => post({ type: 'ready', ids: handlers.ids(), reports: handlers.host.reports(), generation: handlers.host.generation })
  // A warning recorded after load (an unhandled rejection from plugin code) reaches the process's load reports.
  handlers.host.onChange(() => post({ type: 'reports', reports: handlers.host.reports() }))

  const queue: ClaimedJob[] = []
  let results: JobResult[] = []
  let lastFlush = Date.now()
  let running = false
  let stopping = false
  let reloadTo: number | null = null
  let active: AbortController | null = null
  const flush = () => {
    if (results.length) post({ type: 'results', results })
    results = []
    lastFlush = Date.now()
  }

  const runOne = async (job: ClaimedJob): Promise<JobResult> => {
    const ac = new AbortController()
    active = ac
    const timer = setTimeout(() => ac.abort(new Error(`timed out after ${data.timeoutMs} ms`)), data.timeoutMs)
    const jobLog = () => log.child({ job: job.id, eventType: job.eventType, attempt: job.attempt })
    const base = { id: job.id, token: job.token, attempt: job.attempt }
    current[1] = Date.now()
    current[0] = job.id
    try {
      if (job.eventType === BOT_RUN) await runBot(job, { handlers, services, log: jobLog(), signal: ac.signal })
      else await runEventJob(job, { handlers, services, log, signal: ac.signal })
      if (stopping && ac.signal.aborted) return { ...base, outcome: 'released' }
      if (ac.signal.aborted) return { ...base, outcome: 'failed', error: `${job.eventType}: ${(ac.signal.reason as Error).message}; the handler returned after its AbortSignal fired, so the job is not counted as done` }
      return { ...base, outcome: 'done' }
    } catch (error) {
      if (stopping) return { ...base, outcome: 'released' }
      const message = ac.signal.aborted ? `${job.eventType}: ${(ac.signal.reason as Error).message}: ${describe(error)}` : describe(error)
      jobLog().warn({ err: error }, 'handler failed')
      return { ...base, outcome: 'failed', error: message }
    } finally {
      clearTimeout(timer)
      current[0] = 0
      active = null
    }
  }

  /** Runs queued jobs one after another; a reload waits for the job in hand. */
  const drain = async () => {
    if (running) return
    running = true
    for (;;) {
      if (reloadTo !== null && !stopping) {
        const generation = reloadTo
        reloadTo = null
        flush()
        try {
          const result = await handlers.host.reload(generation)
          log.info({ ...result }, 'plugins reloaded')
        } catch (error) {
          log.error({ err: error, generation }, 'reload failed; the plugins loaded before keep running')
        }
        ready()
      }
      if (!queue.length || stopping) break
      results.push(await runOne(queue.shift()!))
      if (Date.now() - lastFlush >= FLUSH_MS) flush()
    }
    running = false
    flush()
    if (stopping) finish()
  }

  const finish = () => {
    for (const job of queue.splice(0)) results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'released' })
    flush()
    post({ type: 'stopped' })
    port.close()
    void handlers.host.unloadAll().catch(() => {}).finally(() => runtime.close())
  }

  port.on('message', (msg: ToThread) => {
    if (msg.type === 'run') {
      queue.push(...msg.jobs)
      void drain()
    } else if (msg.type === 'give-back') {
      post({ type: 'returned', ids: queue.splice(0).map((j) => j.id) })
    } else if (msg.type === 'reload') {
      reloadTo = msg.generation
      void drain()
    } else if (msg.type === 'stop') {
      stopping = true
      active?.abort(new Error('the worker is shutting down'))
      if (!running) finish()
    }
  })
  ready()
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return `non-Error thrown: ${JSON.stringify(error) ?? String(error)}`
}
