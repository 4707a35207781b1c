import type { ClaimedJob, JobStart } from '../queue/job-types.ts'
import type { ToThread } from './handler-protocol.ts'
import { busy } from './pool-dispatch.ts'
import { blame, runningCode } from './pool-exit.ts'
import type { PoolState, Slot } from './pool-state.ts'
import { threadFailure, type ExitReason } from './thread-failures.ts'

/** A handler gets this long after its AbortSignal fires before its thread is terminated. */
export const ABORT_GRACE_MS = 1000
/** A handler whose claim lapsed gets this long to stop on its AbortSignal before its thread is terminated. */
const FENCE_GRACE_MS = 250
/** Also how soon a started handler is recorded as an attempt. */
const WATCH_MS = 25
const MEMORY_CHECK_MS = 500

/** Every WATCH_MS: report starts, hand back jobs queued behind slow ones, end threads past their timeout, lapsed claim or memory cap. */
export function startWatchdog(state: PoolState): void {
  state.watchdog = setInterval(() => watch(state, Date.now()), WATCH_MS)
  state.watchdog.unref()
}

function watch(state: PoolState, now: number): void {
  const { slots, doomed, log } = state
  const starts: JobStart[] = []
  for (const slot of slots) {
    const id = slot.current[0]!
    if (slot.ready && busy(slot, now) && slot.jobs.size > 1 && !slot.givingBack) {
      slot.givingBack = true
      slot.thread.postMessage({ type: 'give-back' } satisfies ToThread)
    }
    const job = id ? slot.jobs.get(id) : undefined
    if (!job) continue
    if (!slot.started.has(id)) {
      slot.started.add(id)
      starts.push({ id, token: job.token, attempt: job.attempt, at: slot.current[1]! })
    }
    if (!doomed.has(id) && !state.fence.valid(job.epoch, now)) doomed.set(id, now)
    if (doomed.has(id) && slot.ready && now - doomed.get(id)! >= FENCE_GRACE_MS) {
      log.warn(
        { job: id, eventType: job.eventType, thread: slot.index },
        'the claim on this job lapsed and its handler did not stop on its AbortSignal: terminating its thread',
      )
      end(slot, 'fenced')
    } else if (slot.ready && now - slot.current[1]! >= state.base.timeoutMs + ABORT_GRACE_MS) {
      timedOut(state, slot, job)
    }
  }
  if (starts.length) state.options.onStarted(starts)
  if (now - state.lastMemoryCheck >= MEMORY_CHECK_MS) {
    state.lastMemoryCheck = now
    for (const slot of slots) if (slot.ready) measure(state, slot)
  }
}

function end(slot: Slot, reason: ExitReason): void {
  slot.exitReason ??= reason
  slot.ready = false // nothing more goes to it; its queued jobs move when it has exited
  void slot.thread.terminate()
}

function timedOut(state: PoolState, slot: Slot, job: ClaimedJob): void {
  const { base, options } = state
  state.log.error(
    { job: job.id, eventType: job.eventType, timeoutMs: base.timeoutMs, thread: slot.index },
    'handler did not stop at its timeout: terminating its thread',
  )
  slot.jobs.delete(job.id)
  const running = runningCode(slot, job)
  const failure = threadFailure(job, { reason: 'timeout', memoryMb: options.memoryMb, timeoutMs: base.timeoutMs }, running)
  options.onResults([{ id: job.id, token: job.token, attempt: job.attempt, outcome: 'failed', error: failure.job }])
  blame(state, slot, job, failure.warning, null, running)
  slot.current[0] = 0
  end(slot, 'timeout')
}

/** V8 caps the heap itself; Buffers and ArrayBuffers live outside it, so heap + external is checked here. */
function measure(state: PoolState, slot: Slot): void {
  const { memoryMb } = state.options
  if (slot.measuring) return
  slot.measuring = true
  slot.thread
    .getHeapStatistics()
    .then((s) => {
      const mb = (s.used_heap_size + s.external_memory) / 1048576
      if (mb > memoryMb && state.slots[slot.index] === slot && slot.ready) {
        state.log.error(
          { thread: slot.index, usedMb: Math.round(mb), memoryMb },
          'handler thread passed its memory cap (jobs.threadMemoryMb): replacing it',
        )
        end(slot, 'memory')
      }
    })
    .catch(() => {})
    .finally(() => {
      slot.measuring = false
    })
}

/** See HandlerPool.revoke: drop the jobs if queued, abort their handlers, and doom them (their thread ends after FENCE_GRACE_MS). */
export function revokeJobs(state: PoolState, ids: number[], reason: string): void {
  const now = Date.now()
  for (const id of ids) {
    const i = state.backlog.findIndex((j) => j.id === id)
    if (i >= 0) state.backlog.splice(i, 1)
    for (const slot of state.slots) {
      if (!slot.jobs.has(id)) continue
      state.doomed.set(id, now)
      slot.thread.postMessage({ type: 'abort', id, reason } satisfies ToThread)
    }
  }
}
