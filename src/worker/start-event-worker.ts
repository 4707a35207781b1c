import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../log/create-logger.ts'
import { placeOf } from '../runtime/record-runtime-error.ts'
import type { ProcessRegistration } from '../runtime/process-registry.ts'
import type { PluginStoreReader } from '../store/plugin-store-port.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import { watchGenerations } from './check-generation.ts'
import { claimFence } from './claim-fence.ts'
import { claimLoop } from './claim-loop.ts'
import { confirmClaims, startConfirming } from './confirm-claims.ts'
import { createWorkerPool } from './create-worker-pool.ts'
import { poke, type EventWorkerState } from './event-worker-state.ts'
import { watchJobChanges } from './watch-job-changes.ts'
import { reportLoad } from './worker-reports.ts'

/** Handlers get this long to finish after SIGTERM before their jobs are released. */
const SHUTDOWN_GRACE_MS = 3000
/** A worker starts (and keeps running) the jobs it holds only while its last confirmation is younger than this share of the heartbeat timeout and the lease. */
const FENCE_SHARE = 0.6

export interface EventWorkerOptions {
  config: Config
  logger: Logger
  /** The runtime tables: the queue, heartbeats (the queue's confirm) and run-time errors go through its ports. */
  runtime: RuntimeBackend
  proc: ProcessRegistration
  generation: number | null
  /** The plugin store (read only): with --reload, a new generation is loaded into the handler threads. */
  store?: PluginStoreReader
  /** The process's own plugin host (the reader role's): its reports are the process's load reports, with ours merged in. */
  host?: PluginHost
}

/**
 * The worker role's job loop: claims due jobs of the types its handler
 * threads registered (in batches, one transaction each), hands them to
 * the pool, records results in batches, keeps leases alive, marks events of
 * unknown types orphaned, and on stop releases what it still holds.
 */
export function startEventWorker({ config, logger, runtime, proc, generation, store, host }: EventWorkerOptions) {
  // The parts live in their own modules, all working on one EventWorkerState: claim-loop, flush-results,
  // confirm-claims (heartbeat and leases), check-generation (--reload), worker-reports, create-worker-pool,
  // watch-job-changes (what wakes the claim loop).
  const log = logger.child({ part: 'events' })
  const queue = runtime.jobs.queue({ owner: proc.id, leaseMs: config.jobs.leaseMs, maxAttempts: config.jobs.maxAttempts })
  const { heartbeatTimeoutMs, leaseMs } = config.jobs
  const fence = claimFence(Math.round(FENCE_SHARE * Math.min(heartbeatTimeoutMs, leaseMs)))
  const parts: Omit<EventWorkerState, 'pool'> = {
    config,
    log,
    runtime,
    proc,
    queue,
    fence,
    store,
    host,
    where: placeOf('worker'),
    changes: watchJobChanges(runtime, config.database.url, log, () => poke(w)),
    types: null,
    threads: new Map(),
    orphans: new Map(),
    results: [],
    starts: [],
    flushing: null,
    stopping: false,
    announced: false,
    loadedGeneration: generation,
    newest: generation,
    wake: null,
    poked: false,
    dirty: true,
    confirmFailures: 0,
    confirmedOnce: false,
  }
  // `pool` is set right below: the pool's callbacks take `w`, and none runs before a thread answers.
  const w = parts as EventWorkerState
  w.pool = createWorkerPool(w, generation)

  const confirmTimer = startConfirming(w)
  // The reader role rewrites the reports when its host changes; this listener runs after it and merges ours back in.
  const offHost = host?.onChange(() => {
    void reportLoad(w)
  })

  const unwatchGenerations = store ? watchGenerations(w, store) : async () => {}
  void confirmClaims(w) // the loop claims once this first confirmation has landed
  const running = claimLoop(w)
  return {
    async stop(): Promise<void> {
      w.stopping = true
      offHost?.()
      await unwatchGenerations()
      await w.changes.close()
      poke(w)
      await running
      // Confirmations go on while handlers finish: otherwise the scheduler could requeue a job still running here.
      const unreported = await w.pool.stop(SHUTDOWN_GRACE_MS)
      while (w.flushing) await w.flushing
      const released = await queue.releaseAll()
      clearInterval(confirmTimer)
      log.info({ released, unreported: unreported.length }, 'event worker stopped; in-flight jobs released')
    },
  }
}
