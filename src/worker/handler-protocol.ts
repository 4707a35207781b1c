import type { LoadReport } from '../runtime/process-registry.ts'
import type { ClaimedJob, JobResult } from '../queue/job-types.ts'

/** What a handler thread is started with (structured-cloned into it). */
export interface HandlerThreadData {
  index: number
  dataDir: string
  generation: number | null
  loadTimeoutMs: number
  timeoutMs: number
  logLevel: string
  /** Float64Array(2): [id of the job running now (0: none), its start time in ms]. */
  current: SharedArrayBuffer
  /** BigInt64Array(2), shared by all threads: [when the worker last confirmed its claims (heartbeat + leases), claim epoch]. */
  claims: SharedArrayBuffer
  /** A job starts, and keeps running, only while the last confirmation is younger than this and its epoch is current. */
  fenceMs: number
}

/** The plugin and version behind each event type a thread registered: whose warning a crash or timeout becomes. */
export type HandlerOwners = Record<string, { plugin: string; version: string }>

export interface RegisteredHandlerIds {
  eventTypes: string[]
  queries: string[]
  actions: string[]
}

export type ToThread =
  | { type: 'run'; jobs: ClaimedJob[] }
  /** --reload: load this generation between two jobs; the thread answers with `ready` again. */
  | { type: 'reload'; generation: number }
  /** Hand back the jobs queued behind the one running (it is slow; other threads can take them). */
  | { type: 'give-back' }
  /** The claim of this job is gone (requeued elsewhere, cancelled): abort it if it runs, drop it if it waits. */
  | { type: 'abort'; id: number; reason: string }
  | { type: 'stop' }

export type FromThread =
  | { type: 'ready'; ids: RegisteredHandlerIds; owners: HandlerOwners; reports: LoadReport[]; generation: number | null }
  | { type: 'results'; results: JobResult[] }
  /** The load reports changed after load (a warning from plugin code at run time). */
  | { type: 'reports'; reports: LoadReport[] }
  | { type: 'returned'; ids: number[] }
  | { type: 'fatal'; error: string }
  | { type: 'stopped' }
