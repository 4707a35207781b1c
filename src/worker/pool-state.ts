import type { Worker } from 'node:worker_threads'
import type { Logger } from '../log/create-logger.ts'
import type { ClaimedJob, JobResult, JobStart } from '../queue/job-types.ts'
import type { LoadReport } from '../runtime/process-registry.ts'
import type { ClaimFence } from './claim-fence.ts'
import type { HandlerOwners, HandlerThreadData, PluginCodeOwner, RegisteredHandlerIds } from './handler-protocol.ts'
import type { ExitReason } from './thread-failures.ts'

export interface RuntimeFailure {
  plugin: string
  version: string
  message: string
  detail: string | null
}

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

/** One handler thread of the pool and the jobs it holds. */
export interface Slot {
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
  /** The filters and actions the thread loaded, indexed by current[2] - 1 while one of them runs. */
  code: PluginCodeOwner[]
  exitReason: ExitReason
  measuring: boolean
  exited: Promise<void>
}

/**
 * Everything the pool's parts share (spawning, dispatch, the watchdog, exit
 * handling): one object, so each part is a plain function of it and what it
 * changes is visible at the call.
 */
export interface PoolState {
  readonly options: HandlerPoolOptions
  readonly log: Logger
  readonly base: HandlerPoolOptions['thread']
  readonly fence: ClaimFence
  readonly resourceLimits: { maxOldGenerationSizeMb: number }
  /** By thread index; a replaced thread's slot is overwritten, so `slots[slot.index] !== slot` means it is an old one. */
  readonly slots: Slot[]
  /** Claimed jobs no thread holds yet. */
  readonly backlog: ClaimedJob[]
  /** Jobs that must stop (claim lapsed or revoked) and since when: their thread is terminated after a grace. */
  readonly doomed: Map<number, number>
  stopping: boolean
  /** Threads that died before loading their plugins, one after another: the restart backs off. */
  failuresInARow: number
  /** The generation new threads load (moves with --reload). */
  generation: number | null
  /** Recent handlers' run time, a moving average: how many jobs a thread may hold. */
  avgMs: number
  lastMemoryCheck: number
  watchdog: ReturnType<typeof setInterval> | null
}
