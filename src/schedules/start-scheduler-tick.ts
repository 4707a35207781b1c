import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../log/create-logger.ts'
import { createQueueMaintenance } from '../queue/queue-maintenance.ts'
import type { Db } from '../store/open-database.ts'
import { createScheduleFirer } from './fire-schedules.ts'

const PRUNE_EVERY_MS = 60_000

/**
 * The scheduler's tick (twice a second): fire due interval, cron and bot
 * schedules, requeue jobs whose worker lost its lease, prune old finished
 * jobs. A failed tick (database busy) is logged and the next one tries again.
 */
export function startSchedulerTick({ runtime, config, logger, tickMs = 500 }: { runtime: Db; config: Config; logger: Logger; tickMs?: number }) {
  const log = logger.child({ part: 'tick' })
  const maintenance = createQueueMaintenance(runtime, config.jobs)
  const fire = createScheduleFirer(runtime)
  let lastPrune = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const tick = async () => {
    const requeued = await maintenance.requeueExpired()
    if (requeued.length) log.warn({ jobs: requeued.map((j) => j.id), failed: requeued.filter((j) => j.status === 'failed').map((j) => j.id) }, 'requeued jobs whose lease expired')
    const fired = await fire()
    if (fired) log.debug({ fired }, 'fired due schedules')
    if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now()
      let pruned = 0
      for (let n = -1; n !== 0 && !stopped; pruned += n) n = Math.max(0, await maintenance.prune())
      if (pruned) log.info({ pruned, retentionMs: config.jobs.retentionMs }, 'pruned finished jobs')
    }
  }
  const loop = () => {
    running = tick().catch((error) => log.error({ err: error }, 'scheduler tick failed; retrying next tick')).finally(() => {
      if (!stopped) timer = setTimeout(loop, tickMs)
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
