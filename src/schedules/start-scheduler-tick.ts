import type { Config } from '../config/config-schema.ts'
import { logFailure } from '../fs/disk-full-error.ts'
import type { Logger } from '../log/create-logger.ts'
import { createQueueMaintenance } from '../queue/queue-maintenance.ts'
import { pruneRuntimeErrors } from '../runtime/prune-runtime-errors.ts'
import type { Db } from '../store/open-database.ts'
import { createScheduleFirer } from './fire-schedules.ts'

const PRUNE_EVERY_MS = 60_000
/** How often the scheduler looks for jobs of a dead worker (one read; a write only when there are some). */
const RECOVER_EVERY_MS = 100

/**
 * The scheduler's tick (twice a second): fire due interval, cron and bot
 * schedules, prune old finished jobs and run-time errors. Between ticks,
 * every 100 ms, it requeues jobs whose worker stopped beating or lost its
 * lease, so a killed worker's jobs run again within about
 * jobs.heartbeatTimeoutMs. A failed pass (database busy) is logged and the
 * next one tries again.
 */
export function startSchedulerTick({ runtime, config, logger, tickMs = 500 }: { runtime: Db; config: Config; logger: Logger; tickMs?: number }) {
  const log = logger.child({ part: 'tick' })
  const maintenance = createQueueMaintenance(runtime, config.jobs)
  const fire = createScheduleFirer(runtime)
  let lastPrune = 0
  let lastTick = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const recover = async () => {
    if (!(await maintenance.hasStale())) return
    const requeued = await maintenance.requeueExpired()
    if (requeued.length) log.warn({ jobs: requeued.map((j) => j.id), failed: requeued.filter((j) => j.status === 'failed').map((j) => j.id) }, 'requeued the jobs of a worker that stopped beating or whose lease expired')
  }
  const prune = async () => {
    let pruned = 0
    for (let n = -1; n !== 0 && !stopped; pruned += n) n = Math.max(0, await maintenance.prune())
    const errors = await pruneRuntimeErrors(runtime, new Date(Date.now() - config.jobs.retentionMs))
    if (pruned || errors) log.info({ pruned, runtimeErrors: errors, retentionMs: config.jobs.retentionMs }, 'pruned finished jobs and old run-time errors')
  }
  const tick = async () => {
    await recover()
    if (Date.now() - lastTick < tickMs) return
    lastTick = Date.now()
    const fired = await fire()
    if (fired) log.debug({ fired }, 'fired due schedules')
    if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now()
      await prune()
    }
  }
  const loop = () => {
    let delay = Math.min(tickMs, RECOVER_EVERY_MS)
    running = tick().catch((error) => {
      logFailure(log, error, config.dataDir, 'scheduler tick failed; retrying next tick') // a full disk: what to delete, no stack
      delay = tickMs // a busy database: do not ask ten times a second
    }).finally(() => {
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
