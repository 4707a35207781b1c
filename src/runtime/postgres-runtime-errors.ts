import type { Queryable } from '../postgres/open-postgres.ts'
import { MAX_DISTINCT_RUNTIME_ERRORS, mapStack, overflowMessage } from './record-runtime-error.ts'
import type { RuntimeErrorRecord, RuntimeErrors } from './runtime-errors-port.ts'

// One statement, so concurrent recorders in several processes count up one row: ON CONFLICT takes the row lock
// and adds one to whatever count the last committer left. A failure past the distinct limit goes to the overflow
// row ($8, $9). Under concurrency the limit can be passed by as many rows as recorders insert new messages at
// the same instant: bounded, which is what the limit is for.
const RECORD = `
  WITH fits AS (
    SELECT EXISTS (SELECT 1 FROM runtime.runtime_errors WHERE plugin = $1 AND version = $2 AND code = $3 AND message = $4)
      OR (SELECT count(*) FROM runtime.runtime_errors WHERE plugin = $1 AND version = $2 AND code = $3) < $10::bigint AS own
  )
  INSERT INTO runtime.runtime_errors AS e (plugin, version, code, message, count, first_seen, last_seen, detail, place)
  SELECT $1, $2, $3, CASE WHEN own THEN $4::text ELSE $8::text END, 1, $7::text, $7::text,
    CASE WHEN own THEN $5::text ELSE $9::text END, $6::text
  FROM fits
  ON CONFLICT (plugin, version, code, message) DO UPDATE SET count = e.count + 1,
    last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen), detail = EXCLUDED.detail, place = EXCLUDED.place`

/** runtime.runtime_errors on PostgreSQL: workers and web servers record (their role may), the scheduler prunes. */
export function createPostgresRuntimeErrors(db: Queryable): RuntimeErrors {
  return {
    async record(entry) {
      const version = entry.version ?? ''
      const message = entry.message
      const detail = entry.detail ? mapStack(entry.detail, entry.plugin, version) : null
      try {
        await db.query(RECORD, [
          entry.plugin,
          version,
          entry.code ?? 'RUNTIME_ERROR',
          message,
          detail,
          entry.where,
          (entry.at ?? new Date()).toISOString(),
          overflowMessage(entry.plugin, version),
          `${message}\n${detail ?? ''}`,
          MAX_DISTINCT_RUNTIME_ERRORS,
        ])
        return true
      } catch {
        return false // as on SQLite: the caller logs the failure itself
      }
    },
    async prune(before) {
      return (await db.query('DELETE FROM runtime.runtime_errors WHERE last_seen < $1', [before.toISOString()])).rowCount ?? 0
    },
    async list(limit = 5000) {
      const { rows } = await db.query<RuntimeErrorRecord>(
        `SELECT plugin, version, code, message, count, first_seen AS "firstSeen", last_seen AS "lastSeen", detail, place
         FROM runtime.runtime_errors ORDER BY last_seen DESC LIMIT $1`,
        [limit],
      )
      return rows
    },
  }
}
