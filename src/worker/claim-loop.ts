import type { EventWorkerState } from './event-worker-state.ts'
import { poke } from './event-worker-state.ts'
import { checkOrphans } from './worker-reports.ts'

/** How often an idle worker looks for new work: a cheap change check (w.changes), a claim only when something changed. */
const POLL_MS = 10
const MAX_CLAIM = 1024
const ORPHAN_CHECK_MS = 2000

/**
 * Claims due jobs of the types the threads registered, in batches, while
 * the pool wants some; between rounds it marks orphaned events and waits for
 * a poke or POLL_MS. Resolves once stopping.
 */
export async function claimLoop(w: EventWorkerState): Promise<void> {
  const { fence, queue, pool, log } = w
  let nextDue = 0
  let lastVersion = w.changes.get()
  let lastOrphanCheck = 0
  while (!w.stopping) {
    let more = false
    try {
      const now = Date.now()
      // No claims while this worker's own claims are not confirmed: its threads would not start them.
      if (w.types !== null && (w.dirty || now >= nextDue) && fence.valid(undefined, now)) {
        const free = pool.wanted()
        if (free > 0) {
          const epoch = fence.epoch()
          const jobs = await queue.claim(Math.min(free, MAX_CLAIM), w.types)
          for (const j of jobs) j.epoch = epoch
          if (jobs.length) pool.dispatch(jobs)
          more = jobs.length === Math.min(free, MAX_CLAIM) // a full batch: maybe more are due
          if (!more) {
            w.dirty = false
            nextDue = (await queue.nextDueAt(w.types)) ?? Infinity
          }
        }
      }
      if (w.types !== null && now - lastOrphanCheck >= ORPHAN_CHECK_MS) {
        lastOrphanCheck = now
        await checkOrphans(w, w.types)
      }
    } catch (error) {
      log.error({ err: error }, 'job loop error; retrying')
      await new Promise((r) => setTimeout(r, 500))
    }
    // A poke while this iteration ran (results landed, a thread freed up) means: go round again at once.
    if (!w.poked && !more) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => poke(w), POLL_MS)
        w.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    w.poked = false
    const version = w.changes.get()
    if (version !== lastVersion) {
      lastVersion = version
      w.dirty = true
    }
  }
}
