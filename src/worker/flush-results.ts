import type { EventWorkerState } from './event-worker-state.ts'
import { poke } from './event-worker-state.ts'

/** A flush on the next turn of the event loop, unless one is under way (it flushes again for what came in meanwhile). */
export function flushSoon(w: EventWorkerState): void {
  w.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => flushResults(w))
}

/** Completions go to runtime.db in one transaction per batch; a busy database keeps them for the next try. */
export async function flushResults(w: EventWorkerState): Promise<void> {
  const { log, queue } = w
  const batch = w.results
  const begun = w.starts
  w.results = []
  w.starts = []
  try {
    // Starts first: a job's start and its result may be in one flush, never its result before its start.
    const revoked = await queue.markStarted(begun)
    if (revoked.length) {
      log.warn({ jobs: revoked }, 'these jobs started here after their claim was lost (requeued or cancelled): stopping them')
      w.pool.revoke(revoked, 'the claim on this job is gone (requeued to another worker, or cancelled)')
    }
    begun.length = 0
    const lost = await queue.complete(batch)
    if (lost.length)
      log.warn({ jobs: lost }, 'results dropped: these jobs were cancelled, or their lease expired and another worker took them')
    for (const r of batch)
      if (r.outcome === 'failed') log.warn({ job: r.id, attempt: r.attempt, error: r.error?.split('\n')[0] }, 'job failed')
  } catch (error) {
    log.error({ err: error }, 'could not record job results; retrying')
    w.results.unshift(...batch)
    w.starts.unshift(...begun)
    await new Promise((r) => setTimeout(r, 200))
  }
  w.flushing = null
  if (w.results.length || w.starts.length) w.flushing = flushResults(w)
  w.dirty = true
  poke(w)
}
