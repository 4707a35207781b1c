import type { LoadReport } from '../runtime/process-registry.ts'
import type { ClaimedJob, JobResult } from '../queue/job-types.ts'
import type { RegisteredHandlerIds } from '../loader/plugin-handlers.ts'

/** What a handler thread is started with (structured-cloned into it). */
export interface HandlerThreadData {
  index: number
  dataDir: string
  /** database.url: the thread opens its own connections to this PostgreSQL database; null: runtime.db in dataDir. */
  databaseUrl: string | null
  generation: number | null
  loadTimeoutMs: number
  timeoutMs: number
  logLevel: string
  /** limits.storageBytes: the quota of each plugin's `storage`. */
  storageBytes?: number
  /** Float64Array(3): [id of the job running now (0: none), its start time in ms, which plugin code of a bot run runs now (1 + index into `code` of ready; 0: none)]. */
  current: SharedArrayBuffer
  /** BigInt64Array(2), shared by all threads: [when the worker last confirmed its claims (heartbeat + leases), claim epoch]. */
  claims: SharedArrayBuffer
  /** A job starts, and keeps running, only while the last confirmation is younger than this and its epoch is current. */
  fenceMs: number
}

/** A filter or action of a bot run (`what`: 'filter "id"'), and whose it is: blamed when it never yields and its thread is terminated. */
export interface PluginCodeOwner {
  plugin: string
  version: string
  what: string
}

/** The plugin and version behind each event type a thread registered: whose warning a crash or timeout becomes. */
export type { RegisteredHandlerIds }

export type HandlerOwners = Record<string, { plugin: string; version: string }>

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
  | {
      type: 'ready'
      ids: RegisteredHandlerIds
      owners: HandlerOwners
      reports: LoadReport[]
      generation: number | null
      code?: PluginCodeOwner[]
    }
  | { type: 'results'; results: JobResult[] }
  /** The load reports changed after load (a warning from plugin code at run time). */
  | { type: 'reports'; reports: LoadReport[] }
  | { type: 'returned'; ids: number[] }
  | { type: 'fatal'; error: string }
  | { type: 'stopped' }
