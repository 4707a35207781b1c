import type { Worker } from 'node:worker_threads'
import type { Logger } from '../log/create-logger.ts'
import type { ClaimedJob, JobResult, JobStart } from '../queue/job-types.ts'
import type { LoadReport } from '../runtime/process-registry.ts'
import { spawnThread } from '../threads/spawn-thread.ts'
import type { ClaimFence } from './claim-fence.ts'
import type { FromThread, HandlerOwners, HandlerThreadData, RegisteredHandlerIds, ToThread } from './handler-protocol.ts'
import { threadFailure, type ExitReason } from './thread-failures.ts'

/** Most jobs a thread may hold (one running, the rest waiting), when its jobs are so short that this many start soon. */
export const JOBS_PER_THREAD = 64
/**
 * Claim only what can start soon: a thread holds, behind the job it runs, as
 * many as recent handlers take this long to run (at least one). Short jobs
 * get deep batches (claims and posts amortized); 200 ms jobs get one, so a
 * killed worker takes few unstarted jobs down with it.
 */
export const PREFETCH_WINDOW_MS = 20
/** A handler gets this long after its AbortSignal fires before its thread is terminated. */
export const ABORT_GRACE_MS = 1000
/** A thread whose job has run this long is busy: it takes no new jobs and hands back those queued behind it. */
export const BUSY_MS = 100
/** A handler whose claim lapsed gets this long to stop on its AbortSignal before its thread is terminated. */
const FENCE_GRACE_MS = 250
/** Also how soon a started handler is recorded as an attempt. */
const WATCH_MS = 25
const MEMORY_CHECK_MS = 500
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
  /** Jobs seen running (their start reported): a result then needs no start of its own. */
  started: Set<number>
  owners: HandlerOwners
  exitReason: ExitReason
  measuring: boolean
  exited: Promise<void>
}

export interface RuntimeFailure { plugin: string; version: string; message: string; detail: string | null }

export interface HandlerPoolOptions {
  size: number
  thread: Omit<HandlerThreadData, 'index' | 'current' | 'claims' | 'fenceMs'>
  fence: ClaimFence
  /** Cap of each thread: V8's old generation, and heap + Buffers as measured twice a second (jobs.threadMemoryMb). */
  memoryMb: number
  logger: Logger
  /** A thread loaded (or, with --reload, reloaded) its plugins. */
  onReady(thread: number, ids: RegisteredHandlerIds, reports: LoadReport[], generation: number | null): void
  /** A thread's load reports changed (a warning from plugin code at run time). */
  onReports(thread: number, reports: LoadReport[]): void
  /** A thread is gone; its registrations no longer count. */
  onGone(thread: number): void
  onResults(results: JobResult[]): void
  /** Handlers started on these jobs (seen within WATCH_MS): each run is an attempt from now on. */
  onStarted(starts: JobStart[]): void
  /** A plugin's handler crashed its thread, passed the memory cap or ignored its timeout: a RUNTIME_ERROR of that plugin. */
  onRuntimeError(failure: RuntimeFailure): void
}

/**
 * A pool of handler threads, each with the plugins loaded and a memory cap. A
 * job that runs past its timeout (plus a grace after its AbortSignal), or
 * whose thread passes the memory cap, has its thread terminated: the job fails
 * with a clear error, the jobs queued behind it go to another thread, and a
 * fresh thread takes the slot. A job whose claim lapsed is stopped the same
 * way, but given back rather than failed.
 */
export function createHandlerPool(options: HandlerPoolOptions) {
  const { logger: log, thread: base, fence } = options
  const slots: Slot[] = []
  const backlog: ClaimedJob[] = []
  /** Jobs that must stop (claim lapsed or revoked) and since when: their thread is terminated after a grace. */
  const doomed = new Map<number, number>()
  let stopping = false
  let failuresInARow = 0
  let generation = base.generation
  let avgMs = PREFETCH_WINDOW_MS // unknown yet: assume slow jobs, hold one behind each

  const resourceLimits = { maxOldGenerationSizeMb: options.memoryMb }
  const spawn = (index: number) => {
    const current = new Float64Array(new SharedArrayBuffer(16))
    const data: HandlerThreadData = { ...base, generation, index, current: current.buffer as SharedArrayBuffer, claims: fence.buffer, fenceMs: fence.fenceMs }
    const thread = spawnThread('event-handler', data, { resourceLimits })
    const slot: Slot = {
      index, thread, current, ready: false, loaded: false, stopped: false, givingBack: false, jobs: new Map(), started: new Set(), owners: {},
      exitReason: null, measuring: false, exited: new Promise((r) => thread.once('exit', () => r())),
    }
    slots[index] = slot
    slot.thread.on('message', (msg: FromThread) => onMessage(slot, msg))
    slot.thread.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.exitReason ??= 'memory'
      log.error({ err: error, thread: index }, 'handler thread crashed')
    })
    slot.thread.on('exit', (code) => onExit(slot, code))
  }

  const end = (slot: Slot, reason: ExitReason) => {
    slot.exitReason ??= reason
    slot.ready = false // nothing more goes to it; its queued jobs move when it has exited
    void slot.thread.terminate()
  }

  const onMessage = (slot: Slot, msg: FromThread) => {
    if (msg.type === 'ready') {
      slot.ready = true
      slot.loaded = true
      slot.owners = msg.owners
      failuresInARow = 0
      options.onReady(slot.index, msg.ids, msg.reports, msg.generation)
      // Started before a --reload and loaded the older generation: catch up.
      if (generation !== null && msg.generation !== generation) slot.thread.postMessage({ type: 'reload', generation } satisfies ToThread)
      pump()
    } else if (msg.type === 'reports') {
      options.onReports(slot.index, msg.reports)
    } else if (msg.type === 'results') {
      for (const r of msg.results) {
        slot.jobs.delete(r.id)
        slot.started.delete(r.id)
        doomed.delete(r.id)
        if (r.ms !== undefined && r.outcome !== 'released') avgMs += (r.ms - avgMs) * 0.1
      }
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

  /** A thread that ends while holding jobs: the one it was running failed with it (or, fenced, goes back); the rest go to other threads. */
  const onExit = (slot: Slot, code: number) => {
    if (slots[slot.index] !== slot) return
    slot.ready = false
    options.onGone(slot.index)
    const runningId = slot.current[0]
    const results: JobResult[] = []
    for (const job of slot.jobs.values()) {
      doomed.delete(job.id)
      if (job.id !== runningId || stopping) { backlog.push(job); continue }
      if (slot.exitReason === 'fenced') { results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'released', error: 'stopped: the worker\'s claim lapsed' }); continue }
      const failure = threadFailure(job, { reason: slot.exitReason === 'memory' ? 'memory' : 'crash', memoryMb: options.memoryMb, timeoutMs: base.timeoutMs, code })
      results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'failed', error: failure.job })
      blame(slot, job, failure.warning, null)
    }
    if (slot.exitReason === 'memory' && !runningId) log.error({ thread: slot.index, memoryMb: options.memoryMb }, 'a handler thread passed its memory cap between jobs (jobs.threadMemoryMb); it was replaced')
    slot.jobs.clear()
    slot.started.clear()
    if (results.length) options.onResults(results)
    if (stopping) return
    if (!slot.loaded) failuresInARow++
    const delay = Math.min(30_000, failuresInARow ? 500 * 2 ** Math.min(failuresInARow, 6) : 0)
    if (delay) log.warn({ thread: slot.index, retryMs: delay }, 'handler thread failed to start; starting it again later')
    setTimeout(() => { if (!stopping && slots[slot.index] === slot) spawn(slot.index) }, delay).unref()
    pump()
  }

  const blame = (slot: Slot, job: ClaimedJob, message: string, detail: string | null) => {
    const owner = slot.owners[job.eventType]
    if (owner) options.onRuntimeError({ ...owner, message, detail })
  }

  const watchdog = setInterval(() => watch(Date.now()), WATCH_MS)
  watchdog.unref()
  let lastMemoryCheck = 0
  const watch = (now: number) => {
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
      if (!doomed.has(id) && !fence.valid(job.epoch, now)) doomed.set(id, now)
      if (doomed.has(id) && slot.ready && now - doomed.get(id)! >= FENCE_GRACE_MS) {
        log.warn({ job: id, eventType: job.eventType, thread: slot.index }, 'the claim on this job lapsed and its handler did not stop on its AbortSignal: terminating its thread')
        end(slot, 'fenced')
      } else if (slot.ready && now - slot.current[1]! >= base.timeoutMs + ABORT_GRACE_MS) {
        timedOut(slot, job)
      }
    }
    if (starts.length) options.onStarted(starts)
    if (now - lastMemoryCheck >= MEMORY_CHECK_MS) {
      lastMemoryCheck = now
      for (const slot of slots) if (slot.ready) measure(slot)
    }
  }

  const timedOut = (slot: Slot, job: ClaimedJob) => {
    log.error({ job: job.id, eventType: job.eventType, timeoutMs: base.timeoutMs, thread: slot.index }, 'handler did not stop at its timeout: terminating its thread')
    slot.jobs.delete(job.id)
    const failure = threadFailure(job, { reason: 'timeout', memoryMb: options.memoryMb, timeoutMs: base.timeoutMs })
    options.onResults([{ id: job.id, token: job.token, attempt: job.attempt, outcome: 'failed', error: failure.job }])
    blame(slot, job, failure.warning, null)
    slot.current[0] = 0
    end(slot, 'timeout')
  }

  /** V8 caps the heap itself; Buffers and ArrayBuffers live outside it, so heap + external is checked here. */
  const measure = (slot: Slot) => {
    if (slot.measuring) return
    slot.measuring = true
    slot.thread.getHeapStatistics().then((s) => {
      const mb = (s.used_heap_size + s.external_memory) / 1048576
      if (mb > options.memoryMb && slots[slot.index] === slot && slot.ready) {
        log.error({ thread: slot.index, usedMb: Math.round(mb), memoryMb: options.memoryMb }, 'handler thread passed its memory cap (jobs.threadMemoryMb): replacing it')
        end(slot, 'memory')
      }
    }).catch(() => {}).finally(() => { slot.measuring = false })
  }

  const capacity = () => 1 + Math.max(1, Math.min(JOBS_PER_THREAD - 1, Math.floor(PREFETCH_WINDOW_MS / Math.max(avgMs, 0.001))))
  const load = (slot: Slot) => slot.jobs.size
  const busy = (slot: Slot, now = Date.now()) => slot.current[0] !== 0 && now - slot.current[1]! > BUSY_MS
  const open = (slot: Slot) => slot.ready && !busy(slot)
  /** Hands queued jobs to the open threads with the fewest jobs. */
  const pump = () => {
    if (stopping) return
    const cap = capacity()
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
      return free >= (openSlots.length * capacity()) / 2 ? free : 0
    },
    /** How many more jobs the ready threads can take now: what they can start soon. */
    freeSlots(): number {
      if (stopping) return 0
      const cap = capacity()
      return Math.max(0, slots.reduce((n, s) => n + (open(s) ? cap - load(s) : 0), 0) - backlog.length)
    },
    dispatch(jobs: ClaimedJob[]): void {
      backlog.push(...jobs)
      pump()
    },
    /** These jobs' claims are gone (another worker may run them now): stop their handlers, drop them if queued. */
    revoke(ids: number[], reason: string): void {
      const now = Date.now()
      for (const id of ids) {
        const i = backlog.findIndex((j) => j.id === id)
        if (i >= 0) backlog.splice(i, 1)
        for (const slot of slots) {
          if (!slot.jobs.has(id)) continue
          doomed.set(id, now)
          slot.thread.postMessage({ type: 'abort', id, reason } satisfies ToThread)
        }
      }
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
