import type { Db } from '../store/open-database.ts'
import { pruneRuntimeErrors } from './prune-runtime-errors.ts'
import { recordRuntimeError } from './record-runtime-error.ts'
import type { RuntimeErrorRecord, RuntimeErrors } from './runtime-errors-port.ts'

/** runtime_errors in runtime.db (the embedded default): today's functions behind the RuntimeErrors port. */
export function createSqliteRuntimeErrors(db: Db): RuntimeErrors {
  const select = db.prepare(
    `SELECT plugin, version, code, message, count, first_seen AS firstSeen, last_seen AS lastSeen, detail, place
     FROM runtime_errors ORDER BY last_seen DESC LIMIT ?`,
  )
  return {
    record: (entry) => recordRuntimeError(db, entry),
    prune: (before) => pruneRuntimeErrors(db, before),
    list: async (limit = 5000) => select.all(limit) as RuntimeErrorRecord[],
  }
}
