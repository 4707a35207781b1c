import { BOT_RUN, type ClaimedJob, type JobResult } from '../queue/job-types.ts'
import type { PluginCodeOwner, ToThread } from './handler-protocol.ts'
import { pump } from './pool-dispatch.ts'
import type { PoolState, Slot } from './pool-state.ts'
import { threadFailure } from './thread-failures.ts'

/**
 * A thread that ends while holding jobs: the one it was running failed with it (or, fenced, goes back); the rest go to other threads.
 * A fresh thread takes the slot (`respawn`), later when threads keep dying before they load.
 */
export function onThreadExit(state: PoolState, slot: Slot, code: number, respawn: (state: PoolState, index: number) => void): void {
  const { slots, options, log } = state
  if (slots[slot.index] !== slot) return
  slot.ready = false
  options.onGone(slot.index)
  const runningId = slot.current[0]
  const results: JobResult[] = []
  for (const job of slot.jobs.values()) {
    state.doomed.delete(job.id)
    if (job.id !== runningId || state.stopping) {
      state.backlog.push(job)
      continue
    }
    if (slot.exitReason === 'fenced') {
      results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'released', error: "stopped: the worker's claim lapsed" })
      continue
    }
    const running = runningCode(slot, job)
    const failure = threadFailure(
      job,
      { reason: slot.exitReason === 'memory' ? 'memory' : 'crash', memoryMb: options.memoryMb, timeoutMs: state.base.timeoutMs, code },
      running,
    )
    results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'failed', error: failure.job })
    blame(state, slot, job, failure.warning, null, running)
  }
  if (slot.exitReason === 'memory' && !runningId)
    log.error(
      { thread: slot.index, memoryMb: options.memoryMb },
      'a handler thread passed its memory cap between jobs (jobs.threadMemoryMb); it was replaced',
    )
  slot.jobs.clear()
  slot.started.clear()
  if (results.length) options.onResults(results)
  if (state.stopping) return
  if (!slot.loaded) state.failuresInARow++
  const delay = Math.min(30_000, state.failuresInARow ? 500 * 2 ** Math.min(state.failuresInARow, 6) : 0)
  if (delay) log.warn({ thread: slot.index, retryMs: delay }, 'handler thread failed to start; starting it again later')
  setTimeout(() => {
    if (!state.stopping && slots[slot.index] === slot) respawn(state, slot.index)
  }, delay).unref()
  pump(state)
}

/** A RUNTIME_ERROR for the plugin whose code ended this job's thread: the bot-run filter or action running, else the job type's owner. */
export function blame(
  state: PoolState,
  slot: Slot,
  job: ClaimedJob,
  message: string,
  detail: string | null,
  running: PluginCodeOwner | null = null,
): void {
  const owner = running ?? slot.owners[job.eventType]
  if (owner) state.options.onRuntimeError({ plugin: owner.plugin, version: owner.version, message, detail })
}

/** The filter or action a bot run was in when its thread stopped answering (the thread marks it in current[2]). */
export const runningCode = (slot: Slot, job: ClaimedJob): PluginCodeOwner | null =>
  job.eventType === BOT_RUN && slot.current[2]! > 0 ? (slot.code[slot.current[2]! - 1] ?? null) : null

/** See HandlerPool.stop: threads get graceMs to stop on their own, then are terminated; resolves with the jobs nobody reported. */
export async function stopThreads(state: PoolState, graceMs: number): Promise<ClaimedJob[]> {
  const { slots } = state
  state.stopping = true
  if (state.watchdog) clearInterval(state.watchdog)
  for (const s of slots) if (s.ready) s.thread.postMessage({ type: 'stop' } satisfies ToThread)
  const deadline = Date.now() + graceMs
  while (slots.some((s) => s.ready && !s.stopped) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  // Stopped threads unload their plugins and exit by themselves; a short wait lets unload() hooks finish.
  await Promise.race([
    Promise.all(slots.map((s) => s.exited)),
    new Promise((r) => setTimeout(r, Math.max(0, Math.min(500, deadline - Date.now())))),
  ])
  await Promise.all(slots.map((s) => s.thread.terminate()))
  const unreported = [...state.backlog.splice(0), ...slots.flatMap((s) => [...s.jobs.values()])]
  for (const s of slots) s.jobs.clear()
  return unreported
}
