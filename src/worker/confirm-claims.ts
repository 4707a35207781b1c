import type { EventWorkerState } from './event-worker-state.ts'

/** Heartbeat + lease renewal in one commit; the fence lets handlers start jobs only while these succeed. */
export async function confirmClaims(w: EventWorkerState): Promise<void> {
  const { fence, log } = w
  try {
    const at = await w.queue.confirm()
    if (at === null) throw new Error(`this worker's processes row (${w.proc.id}) is gone or marked stopped`)
    const gapMs = fence.age(at)
    // A gap: confirmations failed, or the whole process stood still (SIGSTOP, a paused VM) and could not even try.
    if (fence.confirmed(at) && w.confirmedOnce)
      log.warn(
        { gapMs, failures: w.confirmFailures, fenceMs: fence.fenceMs },
        'confirmed again after a gap: the jobs this worker held may have been requeued, so they are given back unstarted',
      )
    w.confirmedOnce = true
    w.confirmFailures = 0
  } catch (error) {
    if (w.confirmFailures++ === 0)
      log.warn(
        { err: error, fenceMs: fence.fenceMs },
        "could not confirm this worker's claims (heartbeat and leases); it stops starting jobs if this lasts",
      )
  }
}

/** Confirms several times per fence window: one slow commit does not stop the worker. Returns the timer (cleared on stop). */
export function startConfirming(w: EventWorkerState): ReturnType<typeof setInterval> {
  const { heartbeatTimeoutMs, leaseMs } = w.config.jobs
  const confirmEveryMs = Math.min(1000, Math.round(Math.min(heartbeatTimeoutMs, leaseMs) / 5))
  const timer = setInterval(() => {
    void confirmClaims(w)
  }, confirmEveryMs)
  timer.unref()
  return timer
}
