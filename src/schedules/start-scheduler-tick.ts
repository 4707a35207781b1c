import type { Config } from '../config/config-schema.ts'
import { logFailure } from '../fs/disk-full-error.ts'
import type { Logger } from '../log/create-logger.ts'
import type { JobStore } from '../queue/job-queue.ts'
import type { RuntimeErrors } from '../runtime/runtime-errors-port.ts'
import type { ProcessRegistryPort } from '../runtime/process-registry-port.ts'
import type { PluginStoragePort } from '../storage/plugin-storage-port.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { ScheduleStore } from './schedule-port.ts'

/** The runtime ports the tick uses (a RuntimeBackend has them, on either backend). */
export interface SchedulerTickPorts {
  schedules: Pick<ScheduleStore, 'fire' | 'syncRegistrations'>
  jobs: Pick<JobStore, 'maintenance'>
  errors: Pick<RuntimeErrors, 'prune'>
  storage(quotaBytes: number): Pick<PluginStoragePort, 'pruneExpired'>
  processes: Pick<ProcessRegistryPort, 'prune'>
}

const PRUNE_EVERY_MS = 60_000
/** How often the scheduler looks for jobs of a dead worker (one read; a write only when there are some). */
const RECOVER_EVERY_MS = 100

/**
 * The scheduler's tick (twice a second): fire due interval, cron and bot
 * schedules, prune old finished jobs, run-time errors and stopped processes. Between ticks,
 * every 100 ms, it requeues jobs whose worker stopped beating or lost its
 * lease, so a killed worker's jobs run again within about
 * jobs.heartbeatTimeoutMs. A failed pass (database busy) is logged and the
 * next one tries again.
 */
export function startSchedulerTick({
  runtime,
  config,
  logger,
  tickMs = 500,
  store,
}: {
  runtime: SchedulerTickPorts
  config: Config
  logger: Logger
  tickMs?: number
  store?: StoreReader
}) {
  const log = logger.child({ part: 'tick' })
  const maintenance = runtime.jobs.maintenance(config.jobs)
  const storage = runtime.storage(config.limits.storageBytes)
  let syncedGeneration: number | null | undefined
  /** Plugin jobs and hook subscriptions follow the current generation: checked every pass (one read), written when it changed. */
  const follow = async () => {
    if (!store) return
    const id = await store.currentGenerationId()
    if (id === syncedGeneration) return
    const generation = id === null ? null : await store.currentGeneration()
    const result = await runtime.schedules.syncRegistrations(generation)
    syncedGeneration = generation?.id ?? null
    if (result.added || result.replaced || result.resumed || result.paused || result.hooks)
      log.info({ generation: syncedGeneration, ...result }, 'plugin jobs and hook subscriptions follow the generation')
  }
  let lastPrune = 0
  let lastTick = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const recover = async () => {
    if (!(await maintenance.hasStale())) return
    const requeued = await maintenance.requeueExpired()
    if (requeued.length)
      log.warn(
        { jobs: requeued.map((j) => j.id), failed: requeued.filter((j) => j.status === 'failed').map((j) => j.id) },
        'requeued the jobs of a worker that stopped beating or whose lease expired',
      )
  }
  const prune = async () => {
    let pruned = 0
    for (let n = -1; n !== 0 && !stopped; pruned += n) n = Math.max(0, await maintenance.prune())
    const before = new Date(Date.now() - config.jobs.retentionMs)
    const errors = await runtime.errors.prune(before)
    const expired = await storage.pruneExpired()
    const processes = await runtime.processes.prune(before)
    if (pruned || errors || expired || processes)
      log.info(
        { pruned, runtimeErrors: errors, expiredStorageKeys: expired, stoppedProcesses: processes, retentionMs: config.jobs.retentionMs },
        'pruned finished jobs, old run-time errors, expired storage keys and long-stopped processes',
      )
  }
  const tick = async () => {
    await recover()
    await follow()
    if (Date.now() - lastTick < tickMs) return
    lastTick = Date.now()
    const fired = await runtime.schedules.fire()
    if (fired) log.debug({ fired }, 'fired due schedules')
    if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now()
      await prune()
    }
  }
  const loop = () => {
    let delay = Math.min(tickMs, RECOVER_EVERY_MS)
    running = tick()
      .catch((error) => {
        logFailure(log, error, config.dataDir, 'scheduler tick failed; retrying next tick') // a full disk: what to delete, no stack
        delay = tickMs // a busy database: do not ask ten times a second
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, delay)
      })
  }
  loop()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
