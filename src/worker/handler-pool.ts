import type { Worker } from 'node:worker_threads'
import type { Logger } from '../log/create-logger.ts'
import type { ClaimedJob, JobResult } from '../queue/job-types.ts'
import type { LoadReport } from '../runtime/process-registry.ts'
import { spawnThread } from '../threads/spawn-thread.ts'
import type { FromThread, HandlerThreadData, RegisteredHandlerIds, ToThread } from './handler-protocol.ts'

/** Jobs a thread may hold (one running, the rest waiting): enough to keep it busy between claims. */
export const JOBS_PER_THREAD = 64
/** A handler gets this long after its AbortSignal fires before its thread is terminated. */
export const ABORT_GRACE_MS = 1000
/** A thread whose job has run this long is busy: it takes no new jobs and hands back those queued behind it. */
export const BUSY_MS = 100
const WATCH_MS = 50
/** Fewer, larger messages: a thread gets at least this many of the queued jobs at a time (each post costs the main thread). */
const MIN_SHARE = 32

interface Slot {
  index: number
  thread: Worker
  current: Float64Array
  /** Loaded its plugins and takes jobs. */
  ready: boolean
  /** Loaded its plugins once: a thread that dies before that counts as a start failure. */
  loaded: boolean
  stopped: boolean
  /** Asked to hand back the jobs queued behind a slow one; not asked again until it answers. */
  givingBack: boolean
  jobs: Map<number, ClaimedJob>
  exited: Promise<void>
}

export interface HandlerPoolOptions {
  size: number
  thread: Omit<HandlerThreadData, 'index' | 'current'>
  logger: Logger
  /** A thread loaded (or, with --reload, reloaded) its plugins. */
  onReady(thread: number, ids: RegisteredHandlerIds, reports: LoadReport[], generation: number | null): void
  /** A thread's load reports changed (a warning from plugin code at run time). */
  onReports(thread: number, reports: LoadReport[]): void
  /** A thread is gone; its registrations no longer count. */
  onGone(thread: number): void
  onResults(results: JobResult[]): void
}

/**
 * A pool of handler threads, each with the plugins loaded. A job that runs
 * past its timeout (plus a grace after its AbortSignal) has its thread
 * terminated: the job fails with a clear error, the jobs queued behind it go
 * to another thread, and a fresh thread takes the slot.
 */
export function createHandlerPool(options: HandlerPoolOptions) {
  const { logger: log, thread: base } = options
  const slots: Slot[] = []
  const backlog: ClaimedJob[] = []
  let stopping = false
  let failuresInARow = 0
  let generation = base.generation

  const spawn = (index: number) => {
    const current = new Float64Array(new SharedArrayBuffer(16))
    const data: HandlerThreadData = { ...base, generation, index, current: current.buffer as SharedArrayBuffer }
    const thread = spawnThread('event-handler', data)
    const slot: Slot = { index, thread, current, ready: false, loaded: false, stopped: false, givingBack: false, jobs: new Map(), exited: new Promise((r) => thread.once('exit', () => r())) }
    slots[index] = slot
    slot.thread.on('message', (msg: FromThread) => onMessage(slot, msg))
    slot.thread.on('error', (error) => log.error({ err: error, thread: index }, 'handler thread crashed'))
    slot.thread.on('exit', (code) => onExit(slot, code))
  }

  const onMessage = (slot: Slot, msg: FromThread) => {
    if (msg.type === 'ready') {
      slot.ready = true
      slot.loaded = true
      failuresInARow = 0
      options.onReady(slot.index, msg.ids, msg.reports, msg.generation)
      // Started before a --reload and loaded the older generation: catch up.
      if (generation !== null && msg.generation !== generation) slot.thread.postMessage({ type: 'reload', generation } satisfies ToThread)
      pump()
    } else if (msg.type === 'reports') {
      options.onReports(slot.index, msg.reports)
    } else if (msg.type === 'results') {
      for (const r of msg.results) slot.jobs.delete(r.id)
      options.onResults(msg.results)
      pump()
    } else if (msg.type === 'returned') {
      slot.givingBack = false
      const jobs = msg.ids.map((id) => slot.jobs.get(id)).filter((j) => j !== undefined)
      for (const j of jobs) slot.jobs.delete(j.id)
      backlog.unshift(...jobs)
      pump()
    } else if (msg.type === 'fatal') {
      log.error({ thread: slot.index, error: msg.error }, 'handler thread could not load the plugins')
    } else if (msg.type === 'stopped') {
      slot.stopped = true
    }
  }

  /** A thread that ends while holding jobs: the one it was running failed with it; the rest go to other threads. */
  const onExit = (slot: Slot, code: number) => {
    if (slots[slot.index] !== slot) return
    slot.ready = false
    options.onGone(slot.index)
    const runningId = slot.current[0]
    const failed: JobResult[] = []
    for (const job of slot.jobs.values()) {
      if (job.id === runningId && !stopping) failed.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'failed', error: `${job.eventType}: the handler thread exited (code ${code}) while running this job` })
      else backlog.push(job)
    }
    slot.jobs.clear()
    if (failed.length) options.onResults(failed)
    if (stopping) return
    if (!slot.loaded) failuresInARow++
    const delay = Math.min(30_000, failuresInARow ? 500 * 2 ** Math.min(failuresInARow, 6) : 0)
    if (delay) log.warn({ thread: slot.index, retryMs: delay }, 'handler thread failed to start; starting it again later')
    setTimeout(() => { if (!stopping && slots[slot.index] === slot) spawn(slot.index) }, delay).unref()
    pump()
  }

  const watchdog = setInterval(() => {
    const now = Date.now()
    for (const slot of slots) {
      const id = slot.current[0]
      if (slot.ready && busy(slot, now) && slot.jobs.size > 1 && !slot.givingBack) {
        slot.givingBack = true
        slot.thread.postMessage({ type: 'give-back' } satisfies ToThread)
      }
      if (!id || now - slot.current[1]! < base.timeoutMs + ABORT_GRACE_MS) continue
      const job = slot.jobs.get(id)
      if (!job) continue
      log.error({ job: id, eventType: job.eventType, timeoutMs: base.timeoutMs, thread: slot.index }, 'handler did not stop at its timeout: terminating its thread')
      slot.jobs.delete(id)
      options.onResults([{ id, token: job.token, attempt: job.attempt, outcome: 'failed', error: `${job.eventType}: timed out after ${base.timeoutMs} ms and did not stop when its AbortSignal fired (a loop that never yields?): the handler thread was terminated and replaced` }])
      slot.current[0] = 0
      slot.ready = false // nothing more goes to it; its queued jobs move when it has exited
      void slot.thread.terminate()
    }
  }, WATCH_MS)
  watchdog.unref()

  const load = (slot: Slot) => slot.jobs.size
  const busy = (slot: Slot, now = Date.now()) => slot.current[0] !== 0 && now - slot.current[1]! > BUSY_MS
  const open = (slot: Slot) => slot.ready && !busy(slot)
  /** Hands queued jobs to the open threads with the fewest jobs. */
  const pump = () => {
    if (stopping) return
    while (backlog.length) {
      const free = slots.filter((s) => open(s) && load(s) < JOBS_PER_THREAD).sort((a, b) => load(a) - load(b))
      if (!free.length) return
      const share = Math.max(MIN_SHARE, Math.ceil(backlog.length / free.length))
      for (const slot of free) {
        const jobs = backlog.splice(0, Math.min(share, JOBS_PER_THREAD - load(slot)))
        if (!jobs.length) break
        for (const j of jobs) slot.jobs.set(j.id, j)
        slot.thread.postMessage({ type: 'run', jobs } satisfies ToThread)
      }
    }
  }

  for (let i = 0; i < options.size; i++) spawn(i)

  return {
    /**
     * How many jobs to claim now: all the room there is when a thread sits
     * idle, otherwise nothing until half the room is free, so a busy worker
     * claims, posts and completes in batches rather than one job at a time.
     */
    wanted(): number {
      if (stopping) return 0
      const openSlots = slots.filter((s) => open(s))
      const free = this.freeSlots()
      if (openSlots.some((s) => load(s) === 0)) return free
      return free >= (openSlots.length * JOBS_PER_THREAD) / 2 ? free : 0
    },
    /** How many more jobs the ready threads can take now. */
    freeSlots(): number {
      if (stopping) return 0
      return Math.max(0, slots.reduce((n, s) => n + (open(s) ? JOBS_PER_THREAD - load(s) : 0), 0) - backlog.length)
    },
    dispatch(jobs: ClaimedJob[]): void {
      backlog.push(...jobs)
      pump()
    },
    /** --reload: every thread loads this generation between two jobs; new threads start with it. */
    reload(next: number): void {
      generation = next
      for (const s of slots) if (s.ready) s.thread.postMessage({ type: 'reload', generation: next } satisfies ToThread)
    },
    /**
     * Asks every thread to stop: running handlers see their AbortSignal fire,
     * their jobs and those queued come back as released. Threads still busy
     * after graceMs are terminated; resolves with the jobs nobody reported.
     */
    async stop(graceMs: number): Promise<ClaimedJob[]> {
      stopping = true
      clearInterval(watchdog)
      for (const s of slots) if (s.ready) s.thread.postMessage({ type: 'stop' } satisfies ToThread)
      const deadline = Date.now() + graceMs
      while (slots.some((s) => s.ready && !s.stopped) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      // Stopped threads unload their plugins and exit by themselves; a short wait lets unload() hooks finish.
      await Promise.race([Promise.all(slots.map((s) => s.exited)), new Promise((r) => setTimeout(r, Math.max(0, Math.min(500, deadline - Date.now()))))])
      await Promise.all(slots.map((s) => s.thread.terminate()))
      const unreported = [...backlog.splice(0), ...slots.flatMap((s) => [...s.jobs.values()])]
      for (const s of slots) s.jobs.clear()
      return unreported
    },
  }
}

export type HandlerPool = ReturnType<typeof createHandlerPool>
