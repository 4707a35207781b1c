import type { WarningCode } from '../errors/codes.ts'
import type { Db } from '../store/open-database.ts'
import type { StoredWarning } from './stored-warning.ts'

interface RuntimeErrorRow {
  plugin: string
  version: string
  code: string
  message: string
  count: number
  first_seen: string
  last_seen: string
  detail: string | null
  place: string
}

/**
 * The run-time failures recorded by recordRuntimeError (runtime.db, table
 * runtime_errors) as warnings, for the plugin versions `shown` accepts: the
 * published one, and any a live process still runs. Rows of versions nothing
 * runs any more are history, not something to fix.
 */
export function runtimeWarnings(
  runtime: Db,
  shown: (plugin: string, version: string) => boolean,
  generation: number | null,
): StoredWarning[] {
  const rows = runtime.prepare('SELECT * FROM runtime_errors ORDER BY last_seen DESC LIMIT 5000').all() as RuntimeErrorRow[]
  return rows
    .filter((r) => shown(r.plugin, r.version))
    .map((r) => ({
      code: r.code as WarningCode,
      severity: 'warning',
      plugin: r.plugin,
      version: r.version || null,
      message: r.message,
      detail: r.detail,
      where: [r.place],
      generation,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      count: r.count,
    }))
}
