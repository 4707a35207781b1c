import { parentPort } from 'node:worker_threads'
import { createJsonLogger } from '../log/create-json-logger.ts'
import type { ClaimedJob, JobResult } from '../queue/job-types.ts'
import { placeOf } from '../runtime/record-runtime-error.ts'
import type { HostServices } from '../sdk/host-services.ts'
import { DEFAULT_STORAGE_BYTES } from '../storage/plugin-storage.ts'
import type { FromThread, HandlerOwners, HandlerThreadData, PluginCodeOwner, ToThread } from './handler-protocol.ts'
import { loadPluginHandlers, type PluginHandlers } from '../loader/plugin-handlers.ts'
import { claimFence } from './claim-fence.ts'
import { ClaimLost, createJobRunner } from './job-runner.ts'
import { openThreadBackend } from './open-thread-backend.ts'
import type { ThreadBackend } from './thread-backend.ts'

/** Results are posted in batches: at most this long after the first of a batch finished. */
const FLUSH_MS = 5
/** How often a running handler's claim is checked (the main thread may be stalled, so the thread checks too). */
const FENCE_CHECK_MS = 100

/**
 * A handler thread: loads the plugins itself (with HostServices over its own
 * connection to the runtime tables: runtime.db, or a small PostgreSQL pool),
 * then runs the jobs it is sent, one at a time. The job it is on is written to
 * shared memory so the pool can see a handler that never yields and terminate
 * the thread.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the thread's message loop: load, run, reload and stop share the thread's state
export default async function handlerThread(input: unknown): Promise<void> {
  const data = input as HandlerThreadData
  const port = parentPort!
  const post = (msg: FromThread) => port.postMessage(msg)
  const log = createJsonLogger({ level: data.logLevel, destination: 1 }).child({ role: 'worker', thread: data.index })
  const current = new Float64Array(data.current)
  const fence = claimFence(data.fenceMs, data.claims)
  let backend: ThreadBackend | null = null
  let handlers: PluginHandlers
  let services: HostServices
  try {
    backend = await openThreadBackend(data)
    const storageBytes = data.storageBytes ?? DEFAULT_STORAGE_BYTES
    services = await backend.runtime.hostServices({ role: 'worker', dataDir: data.dataDir, storageBytes })
    handlers = await loadPluginHandlers({
      dataDir: data.dataDir,
      generation: data.generation,
      store: backend.store,
      bundleDir: backend.bundleDir,
      services,
      loadTimeoutMs: data.loadTimeoutMs,
      logger: log,
    })
  } catch (error) {
    post({ type: 'fatal', error: (error as Error)?.stack ?? String(error) })
    await backend?.close().catch(() => {})
    return
  }
  const { runtime } = backend
  // Which filter or action a bot run is in, by its index in `code` (current[2]): the pool names it if it never yields.
  let code = codeOwners(handlers)
  const ready = () => {
    code = codeOwners(handlers)
    post({
      type: 'ready',
      ids: handlers.ids(),
      owners: ownersOf(handlers),
      reports: handlers.host.reports(),
      generation: handlers.host.generation,
      code,
    })
  }
  // A warning recorded after load (an unhandled rejection from plugin code) reaches the process's load reports.
  handlers.host.onChange(() => post({ type: 'reports', reports: handlers.host.reports() }))

  const queue: ClaimedJob[] = []
  let results: JobResult[] = []
  let lastFlush = Date.now()
  let running = false
  let stopping = false
  let reloadTo: number | null = null
  const runner = createJobRunner({
    handlers,
    services,
    runtime,
    log,
    timeoutMs: data.timeoutMs,
    current,
    where: placeOf('worker'),
    stopping: () => stopping,
    codeIndex: (what) => code.findIndex((c) => c.what === what),
  })
  const flush = () => {
    if (results.length) post({ type: 'results', results })
    results = []
    lastFlush = Date.now()
  }
  // The worker stopped confirming its claims (or confirmed after a gap): the scheduler may hand this job to another worker.
  const fenceTimer = setInterval(() => {
    const job = runner.active()
    if (job && !fence.valid(job.epoch))
      runner.abort(new ClaimLost(`this worker's claim on the job lapsed (no heartbeat for ${fence.age()} ms)`))
  }, FENCE_CHECK_MS)
  fenceTimer.unref()

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
      const job = queue.shift()!
      // Never start a job whose claim may have been handed to another worker: give it back, unstarted.
      if (!fence.valid(job.epoch))
        results.push({
          id: job.id,
          token: job.token,
          attempt: job.attempt,
          outcome: 'released',
          error: "not started: the worker's claim lapsed",
        })
      else results.push(await runner.run(job))
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
    clearInterval(fenceTimer)
    port.close()
    void handlers.host
      .unloadAll()
      .catch(() => {})
      .finally(() => runtime.close())
  }

  port.on('message', (msg: ToThread) => {
    if (msg.type === 'run') {
      queue.push(...msg.jobs)
      void drain()
    } else if (msg.type === 'give-back') {
      post({ type: 'returned', ids: queue.splice(0).map((j) => j.id) })
    } else if (msg.type === 'abort') {
      if (runner.active()?.id === msg.id) runner.abort(new ClaimLost(msg.reason))
      const i = queue.findIndex((j) => j.id === msg.id)
      if (i >= 0) {
        const [job] = queue.splice(i, 1)
        results.push({ id: job!.id, token: job!.token, attempt: job!.attempt, outcome: 'released', error: `not started: ${msg.reason}` })
        flush()
      }
    } else if (msg.type === 'reload') {
      reloadTo = msg.generation
      void drain()
    } else if (msg.type === 'stop') {
      stopping = true
      runner.abort(new Error('the worker is shutting down'))
      if (!running) finish()
    }
  })
  ready()
}

function codeOwners(handlers: PluginHandlers): PluginCodeOwner[] {
  const ids = handlers.ids()
  return [
    ...ids.queries.map((id) => ({ entry: handlers.query(id), what: `filter "${id}"` })),
    ...ids.actions.map((uid) => ({ entry: handlers.action(uid), what: `action "${uid}"` })),
  ]
    .filter((c) => c.entry)
    .map((c) => ({ plugin: c.entry!.plugin, version: c.entry!.version, what: c.what }))
}

function ownersOf(handlers: PluginHandlers): HandlerOwners {
  const out: HandlerOwners = {}
  for (const id of handlers.ids().eventTypes) {
    const e = handlers.eventType(id) ?? handlers.pluginJob(id) ?? handlers.hooks(id)[0]
    if (e) out[id] = { plugin: e.plugin, version: e.version }
  }
  return out
}
