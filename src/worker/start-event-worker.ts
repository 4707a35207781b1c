import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../log/create-logger.ts'
import { createJobQueue } from '../queue/create-job-queue.ts'
import type { JobResult, JobStart } from '../queue/job-types.ts'
import { placeOf, recordRuntimeError } from '../runtime/record-runtime-error.ts'
import type { LoadReport, ProcessRegistration } from '../runtime/process-registry.ts'
import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import { claimFence } from './claim-fence.ts'
import { createHandlerPool } from './handler-pool.ts'
import type { RegisteredHandlerIds } from './handler-protocol.ts'
import { mergeReports } from './merge-reports.ts'
import { orphanReports, type OrphanCount } from './orphan-reports.ts'

/** How often an idle worker looks for new work: a cheap `PRAGMA data_version` check, a claim only when something changed. */
const POLL_MS = 10
const MAX_CLAIM = 256
const ORPHAN_CHECK_MS = 2000
const GENERATION_CHECK_MS = 2000
/** Handlers get this long to finish after SIGTERM before their jobs are released. */
const SHUTDOWN_GRACE_MS = 3000
/** A worker starts (and keeps running) the jobs it holds only while its last confirmation is younger than this share of the heartbeat timeout and the lease. */
const FENCE_SHARE = 0.6

export interface EventWorkerOptions {
  config: Config
  logger: Logger
  runtime: Db
  proc: ProcessRegistration
  generation: number | null
  /** plugins.db (read-only): with --reload, a new generation is loaded into the handler threads. */
  store?: StoreReader
  /** The process's own plugin host (the reader role's): its reports are the process's load reports, with ours merged in. */
  host?: PluginHost
}

/**
 * The worker role's job loop: claims due jobs of the types its handler
 * threads registered (in batches, one BEGIN IMMEDIATE each), hands them to
 * the pool, records results in batches, keeps leases alive, marks events of
 * unknown types orphaned, and on stop releases what it still holds.
 */
export function startEventWorker({ config, logger, runtime, proc, generation, store, host }: EventWorkerOptions) {
  const log = logger.child({ part: 'events' })
  const queue = createJobQueue(runtime, { owner: proc.id, leaseMs: config.jobs.leaseMs, maxAttempts: config.jobs.maxAttempts })
  const { heartbeatTimeoutMs, leaseMs } = config.jobs
  const fence = claimFence(Math.round(FENCE_SHARE * Math.min(heartbeatTimeoutMs, leaseMs)))
  // Several confirmations per fence window: one slow commit does not stop the worker.
  const confirmEveryMs = Math.min(1000, Math.round(Math.min(heartbeatTimeoutMs, leaseMs) / 5))
  const where = placeOf('worker')
  const dataVersion = runtime.prepare('PRAGMA data_version').pluck()
  let types: string | null = null
  const threads = new Map<number, { ids: RegisteredHandlerIds; reports: LoadReport[] }>()
  const orphans = new Map<string, OrphanCount>()
  let results: JobResult[] = []
  let starts: JobStart[] = []
  let flushing: Promise<void> | null = null
  let stopping = false
  let announced = false
  let loadedGeneration = generation
  let newest = generation
  let wake: (() => void) | null = null
  let poked = false
  const poke = () => { poked = true; const w = wake; wake = null; w?.() }

  /** The types any loaded thread runs; every thread loads the same generation, except briefly during a --reload. */
  const updateTypes = () => {
    types = threads.size ? JSON.stringify([...new Set([...threads.values()].flatMap((t) => t.ids.eventTypes))].sort()) : null
  }

  const pool = createHandlerPool({
    size: config.concurrency,
    logger: log,
    fence,
    memoryMb: config.jobs.threadMemoryMb,
    thread: { dataDir: config.dataDir, generation, loadTimeoutMs: config.loader.loadTimeoutMs, timeoutMs: config.jobs.timeoutMs, logLevel: config.logLevel },
    onReady(thread, ids, reports, loaded) {
      threads.set(thread, { ids, reports })
      if (loaded !== loadedGeneration) {
        loadedGeneration = loaded
        if (config.reload) void proc.setGeneration(loaded).catch(() => {})
      }
      updateTypes()
      if (!announced) {
        announced = true
        log.info({ generation: loaded, eventTypes: ids.eventTypes, filters: ids.queries.length, actions: ids.actions.length, threads: config.concurrency }, 'handlers ready')
      }
      void report()
      poke()
    },
    onReports(thread, reports) {
      const t = threads.get(thread)
      if (t) { t.reports = reports; void report() }
    },
    onGone(thread) {
      threads.delete(thread)
      updateTypes()
    },
    onResults(batch) {
      results.push(...batch)
      flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush)
    },
    onStarted(batch) {
      starts.push(...batch)
      flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush)
    },
    onRuntimeError(failure) {
      log.warn({ code: 'RUNTIME_ERROR', plugin: failure.plugin, version: failure.version }, failure.message)
      void recordRuntimeError(runtime, { ...failure, where }).then((ok) => { if (!ok) log.warn({ plugin: failure.plugin }, 'could not record a run-time error (database busy)') })
    },
  })

  /** Heartbeat + lease renewal in one commit; the fence lets handlers start jobs only while these succeed. */
  let confirmFailures = 0
  let confirmedOnce = false
  const confirm = async () => {
    try {
      const at = await queue.confirm()
      if (at === null) throw new Error(`this worker's processes row (${proc.id}) is gone or marked stopped`)
      const gapMs = fence.age(at)
      // A gap: confirmations failed, or the whole process stood still (SIGSTOP, a paused VM) and could not even try.
      if (fence.confirmed(at) && confirmedOnce) log.warn({ gapMs, failures: confirmFailures, fenceMs: fence.fenceMs }, 'confirmed again after a gap: the jobs this worker held may have been requeued, so they are given back unstarted')
      confirmedOnce = true
      confirmFailures = 0
    } catch (error) {
      if (confirmFailures++ === 0) log.warn({ err: error, fenceMs: fence.fenceMs }, 'could not confirm this worker\'s claims (heartbeat and leases); it stops starting jobs if this lasts')
    }
  }
  const confirmTimer = setInterval(() => { void confirm() }, confirmEveryMs)
  confirmTimer.unref()

  const report = () => proc.reportLoad(orphanReports(mergeReports([...(host ? [host.reports()] : []), ...[...threads.values()].map((t) => t.reports)]), orphans))
    .catch((error) => log.warn({ err: error }, 'could not record load reports'))
  // The reader role rewrites the reports when its host changes; this listener runs after it and merges ours back in.
  const offHost = host?.onChange(() => { void report() })

  /** Completions go to runtime.db in one transaction per batch; a busy database keeps them for the next try. */
  const flush = async (): Promise<void> => {
    const batch = results
    const begun = starts
    results = []
    starts = []
    try {
      // Starts first: a job's start and its result may be in one flush, never its result before its start.
      const revoked = await queue.markStarted(begun)
      if (revoked.length) {
        log.warn({ jobs: revoked }, 'these jobs started here after their claim was lost (requeued or cancelled): stopping them')
        pool.revoke(revoked, 'the claim on this job is gone (requeued to another worker, or cancelled)')
      }
      begun.length = 0
      const lost = await queue.complete(batch)
      if (lost.length) log.warn({ jobs: lost }, 'results dropped: these jobs were cancelled, or their lease expired and another worker took them')
      for (const r of batch) if (r.outcome === 'failed') log.warn({ job: r.id, attempt: r.attempt, error: r.error?.split('\n')[0] }, 'job failed')
    } catch (error) {
      log.error({ err: error }, 'could not record job results; retrying')
      results.unshift(...batch)
      starts.unshift(...begun)
      await new Promise((r) => setTimeout(r, 200))
    }
    flushing = null
    if (results.length || starts.length) flushing = flush()
    dirty = true
    poke()
  }

  // Set when something may have become claimable: another connection wrote (data_version), or our own results (retries) landed.
  let dirty = true
  const loop = async () => {
    let nextDue = 0
    let lastVersion = dataVersion.get()
    let lastOrphanCheck = 0
    let lastGenerationCheck = Date.now()
    while (!stopping) {
      let more = false
      try {
        const now = Date.now()
        // No claims while this worker's own claims are not confirmed: its threads would not start them.
        if (types !== null && (dirty || now >= nextDue) && fence.valid(undefined, now)) {
          const free = pool.wanted()
          if (free > 0) {
            const epoch = fence.epoch()
            const jobs = await queue.claim(Math.min(free, MAX_CLAIM), types)
            for (const j of jobs) j.epoch = epoch
            if (jobs.length) pool.dispatch(jobs)
            more = jobs.length === Math.min(free, MAX_CLAIM) // a full batch: maybe more are due
            if (!more) {
              dirty = false
              nextDue = (await queue.nextDueAt(types)) ?? Infinity
            }
          }
        }
        if (types !== null && now - lastOrphanCheck >= ORPHAN_CHECK_MS) {
          lastOrphanCheck = now
          await checkOrphans(types)
        }
        if (store && now - lastGenerationCheck >= GENERATION_CHECK_MS) {
          lastGenerationCheck = now
          await checkGeneration(store)
        }
      } catch (error) {
        log.error({ err: error }, 'job loop error; retrying')
        await new Promise((r) => setTimeout(r, 500))
      }
      // A poke while this iteration ran (results landed, a thread freed up) means: go round again at once.
      if (!poked && !more) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(poke, POLL_MS)
          wake = () => { clearTimeout(timer); resolve() }
        })
      }
      poked = false
      const version = dataVersion.get()
      if (version !== lastVersion) { lastVersion = version; dirty = true }
    }
  }

  /** Plugins load at startup (the seed's rule); --reload opts into loading a new generation in place. */
  const checkGeneration = async (plugins: StoreReader) => {
    const id = await plugins.currentGenerationId()
    if (id === null || id === newest) return
    newest = id
    // Without --reload the reader role says once that a restart picks the new generation up; but threads
    // that started before the first publish have nothing loaded, and load the first generation now.
    if (config.reload || loadedGeneration === null) {
      log.info({ generation: id }, 'new plugin generation: reloading the handler threads')
      pool.reload(id)
    }
  }

  const checkOrphans = async (known: string) => {
    const marked = await queue.markOrphaned(known)
    if (!marked.length) return
    for (const m of marked) {
      const key = `${m.eventType}\u0000${m.owner ?? ''}`
      const o = orphans.get(key) ?? { eventType: m.eventType, owner: m.owner, count: 0, firstSeen: new Date().toISOString(), lastSeen: '' }
      o.count++
      o.lastSeen = new Date().toISOString()
      orphans.set(key, o)
    }
    const byType = Object.groupBy(marked, (m) => m.eventType)
    log.warn({ code: 'ORPHANED_EVENTS', events: Object.fromEntries(Object.entries(byType).map(([t, l]) => [t, l!.length])) }, 'due events of types no loaded plugin registers are kept as orphaned; they run when a worker that has the type claims them')
    await report()
  }

  void confirm() // the loop claims once this first confirmation has landed
  const running = loop()
  return {
    async stop(): Promise<void> {
      stopping = true
      offHost?.()
      poke()
      await running
      // Confirmations go on while handlers finish: otherwise the scheduler could requeue a job still running here.
      const unreported = await pool.stop(SHUTDOWN_GRACE_MS)
      while (flushing) await flushing
      const released = await queue.releaseAll()
      clearInterval(confirmTimer)
      log.info({ released, unreported: unreported.length }, 'event worker stopped; in-flight jobs released')
    },
  }
}
