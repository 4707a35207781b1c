import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { Config } from '../config/config-schema.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import type { Logger } from '../log/create-logger.ts'
import type { JobQueue } from '../queue/job-queue.ts'
import type { JobResult, JobStart } from '../queue/job-types.ts'
import type { LoadReport, ProcessRegistration } from '../runtime/process-registry.ts'
import type { PluginStoreReader } from '../store/plugin-store-port.ts'
import type { ClaimFence } from './claim-fence.ts'
import type { HandlerPool } from './handler-pool.ts'
import type { RegisteredHandlerIds } from './handler-protocol.ts'
import type { OrphanCount } from './orphan-reports.ts'
import type { JobChanges } from './watch-job-changes.ts'

/**
 * What the event worker's parts share (the claim loop, the results flusher,
 * the confirmations, reload and reports): one object, so each part is a plain
 * function of it and what it changes is visible at the call.
 */
export interface EventWorkerState {
  readonly config: Config
  readonly log: Logger
  /** The runtime tables (runtime.db or PostgreSQL's `runtime` schema): the queue, run-time errors. */
  readonly runtime: RuntimeBackend
  readonly proc: ProcessRegistration
  readonly queue: JobQueue
  readonly fence: ClaimFence
  /** The plugin store (read only): with --reload, a new generation is loaded into the handler threads. */
  readonly store: PluginStoreReader | undefined
  /** The process's own plugin host (the reader role's): its reports are the process's load reports, with ours merged in. */
  readonly host: PluginHost | undefined
  /** Where run-time errors happened (this worker process), for RUNTIME_ERROR entries. */
  readonly where: string
  /** Moves when jobs may have become claimable: another connection wrote runtime.db, or PostgreSQL notified. */
  readonly changes: JobChanges
  pool: HandlerPool

  /** The event types (JSON, sorted) any loaded thread runs; null while none has loaded. */
  types: string | null
  /** By thread index: what each loaded thread registered, and its load reports. */
  readonly threads: Map<number, { ids: RegisteredHandlerIds; reports: LoadReport[] }>
  readonly orphans: Map<string, OrphanCount>
  /** Results and starts waiting for the next flush to runtime.db. */
  results: JobResult[]
  starts: JobStart[]
  flushing: Promise<void> | null
  stopping: boolean
  /** Said 'handlers ready' once. */
  announced: boolean
  /** The generation the threads last reported loaded, and the newest one seen in the store. */
  loadedGeneration: number | null
  newest: number | null
  /** Resolves the claim loop's idle wait. */
  wake: (() => void) | null
  /** Poked since the claim loop last went round: go round again at once. */
  poked: boolean
  /** Set when something may have become claimable: `changes` moved, or our own results (retries) landed. */
  dirty: boolean
  confirmFailures: number
  confirmedOnce: boolean
}

/** Something may be claimable now: wakes the claim loop, or has it go round again at once. */
export function poke(w: EventWorkerState): void {
  w.poked = true
  const wake = w.wake
  w.wake = null
  wake?.()
}
