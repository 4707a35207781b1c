import type { ToThread } from './handler-protocol.ts'
import type { PoolState, Slot } from './pool-state.ts'

/**
 * Most jobs a thread may hold (one running, the rest waiting), when its jobs are so short that this many start
 * soon. Room for two claims' worth (at the default 4 threads, 4 x 512 = 2 x MAX_CLAIM): the next claim is on its
 * way while the last one's jobs still run, instead of claim and run taking turns. Measured with no-op events on
 * PostgreSQL (bench/postgres-queue.bench.ts), the worker role's end-to-end rate rose with the room: 64 -> 128 by
 * 1.2-1.5x, 128 -> 512 (with claims of 256 -> 1024) from about 23,500 to 30,500 events/s. Jobs that take longer
 * get less (capacity: what starts within PREFETCH_WINDOW_MS).
 */
export const JOBS_PER_THREAD = 512
/**
 * Claim only what can start soon: a thread holds, behind the job it runs, as
 * many as recent handlers take this long to run (at least one). Short jobs
 * get deep batches (claims and posts amortized); 200 ms jobs get one, so a
 * killed worker takes few unstarted jobs down with it.
 */
export const PREFETCH_WINDOW_MS = 20
/** A thread whose job has run this long is busy: it takes no new jobs and hands back those queued behind it. */
export const BUSY_MS = 100
/** Fewer, larger messages: a thread gets at least this many of the queued jobs at a time (each post costs the main thread). */
const MIN_SHARE = 32

export const capacity = (state: PoolState) =>
  1 + Math.max(1, Math.min(JOBS_PER_THREAD - 1, Math.floor(PREFETCH_WINDOW_MS / Math.max(state.avgMs, 0.001))))
const load = (slot: Slot) => slot.jobs.size
export const busy = (slot: Slot, now = Date.now()) => slot.current[0] !== 0 && now - slot.current[1]! > BUSY_MS
const open = (slot: Slot) => slot.ready && !busy(slot)

/** Hands queued jobs to the open threads with the fewest jobs. */
export function pump(state: PoolState): void {
  if (state.stopping) return
  const { backlog, slots } = state
  const cap = capacity(state)
  while (backlog.length) {
    const free = slots.filter((s) => open(s) && load(s) < cap).sort((a, b) => load(a) - load(b))
    if (!free.length) return
    const share = Math.max(MIN_SHARE, Math.ceil(backlog.length / free.length))
    for (const slot of free) {
      const jobs = backlog.splice(0, Math.min(share, cap - load(slot)))
      if (!jobs.length) break
      for (const j of jobs) slot.jobs.set(j.id, j)
      slot.thread.postMessage({ type: 'run', jobs } satisfies ToThread)
    }
  }
}

/** See HandlerPool.wanted: all the room there is when a thread sits idle, otherwise nothing until half the room is free. */
export function countWanted(state: PoolState): number {
  if (state.stopping) return 0
  const openSlots = state.slots.filter((s) => open(s))
  const free = countFree(state)
  if (openSlots.some((s) => load(s) === 0)) return free
  return free >= (openSlots.length * capacity(state)) / 2 ? free : 0
}

/** See HandlerPool.freeSlots: how many more jobs the ready threads can start soon. */
export function countFree(state: PoolState): number {
  if (state.stopping) return 0
  const cap = capacity(state)
  return Math.max(0, state.slots.reduce((n, s) => n + (open(s) ? cap - load(s) : 0), 0) - state.backlog.length)
}
