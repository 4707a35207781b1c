// The port of the runtime_errors table: every process that runs plugin code records its failures, the scheduler
// prunes them, the report reads them. The SQLite adapter (sqlite-runtime-errors.ts) wraps recordRuntimeError and
// pruneRuntimeErrors; the PostgreSQL one is postgres-runtime-errors.ts; test/contract/runtime-errors.unit.test.ts
// runs one suite on both.
import type { RuntimeErrorEntry } from './record-runtime-error.ts'

/** One distinct failure as stored: how often, first and last seen, the latest stack and where. */
export interface RuntimeErrorRecord {
  plugin: string
  /** '' when unknown. */
  version: string
  code: string
  message: string
  count: number
  /** ISO times. */
  firstSeen: string
  lastSeen: string
  detail: string | null
  place: string
}

export interface RuntimeErrors {
  /**
   * Counts the failure on its row (plugin, version, code, message), concurrent recorders included. Resolves
   * false instead of throwing when the database cannot take it: a lost count is better than a failed job.
   */
  record(entry: RuntimeErrorEntry): Promise<boolean>
  /** Deletes the rows not seen since `before`; returns how many. */
  prune(before: Date): Promise<number>
  /** The most recently seen rows first, at most `limit` (default 5000, what the warning report reads). */
  list(limit?: number): Promise<RuntimeErrorRecord[]>
}
