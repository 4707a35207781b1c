import type { ClaimedJob } from '../queue/job-types.ts'
import type { ToThread } from './handler-protocol.ts'
import { countFree, countWanted, PREFETCH_WINDOW_MS, pump } from './pool-dispatch.ts'
import { stopThreads } from './pool-exit.ts'
import { spawnSlot } from './pool-slot.ts'
import type { HandlerPoolOptions, PoolState } from './pool-state.ts'
import { revokeJobs, startWatchdog } from './pool-watchdog.ts'

// The pool's parts live in pool-*.ts, all working on one PoolState: pool-slot (spawning a thread, its messages),
// pool-dispatch (how many jobs to claim, which thread gets them), pool-watchdog (starts, timeouts, lapsed claims,
// memory) and pool-exit (a thread that ended, and stopping them all).
export { BUSY_MS, JOBS_PER_THREAD, PREFETCH_WINDOW_MS } from './pool-dispatch.ts'
export type { HandlerPoolOptions, RuntimeFailure } from './pool-state.ts'
export { ABORT_GRACE_MS } from './pool-watchdog.ts'

/**
 * A pool of handler threads, each with the plugins loaded and a memory cap. A
 * job that runs past its timeout (plus a grace after its AbortSignal), or
 * whose thread passes the memory cap, has its thread terminated: the job fails
 * with a clear error, the jobs queued behind it go to another thread, and a
 * fresh thread takes the slot. A job whose claim lapsed is stopped the same
 * way, but given back rather than failed.
 */
export function createHandlerPool(options: HandlerPoolOptions) {
  const state: PoolState = {
    options,
    log: options.logger,
    base: options.thread,
    fence: options.fence,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    slots: [],
    backlog: [],
    doomed: new Map(),
    stopping: false,
    failuresInARow: 0,
    generation: options.thread.generation,
    avgMs: PREFETCH_WINDOW_MS, // unknown yet: assume slow jobs, hold one behind each
    lastMemoryCheck: 0,
    watchdog: null,
  }
  startWatchdog(state)
  for (let i = 0; i < options.size; i++) spawnSlot(state, i)

  return {
    /**
     * How many jobs to claim now: all the room there is when a thread sits
     * idle, otherwise nothing until half the room is free, so a busy worker
     * claims, posts and completes in batches rather than one job at a time.
     */
    wanted(): number {
      return countWanted(state)
    },
    /** How many more jobs the ready threads can take now: what they can start soon. */
    freeSlots(): number {
      return countFree(state)
    },
    dispatch(jobs: ClaimedJob[]): void {
      state.backlog.push(...jobs)
      pump(state)
    },
    /** These jobs' claims are gone (another worker may run them now): stop their handlers, drop them if queued. */
    revoke(ids: number[], reason: string): void {
      revokeJobs(state, ids, reason)
    },
    /** --reload: every thread loads this generation between two jobs; new threads start with it. */
    reload(next: number): void {
      state.generation = next
      for (const s of state.slots) if (s.ready) s.thread.postMessage({ type: 'reload', generation: next } satisfies ToThread)
    },
    /**
     * Asks every thread to stop: running handlers see their AbortSignal fire,
     * their jobs and those queued come back as released. Threads still busy
     * after graceMs are terminated; resolves with the jobs nobody reported.
     */
    stop(graceMs: number): Promise<ClaimedJob[]> {
      return stopThreads(state, graceMs)
    },
  }
}

export type HandlerPool = ReturnType<typeof createHandlerPool>
