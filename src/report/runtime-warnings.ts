import type { WarningCode } from '../errors/codes.ts'
import type { RuntimeErrorRecord } from '../runtime/runtime-errors-port.ts'
import type { StoredWarning } from './stored-warning.ts'

/**
 * The run-time failures recorded through RuntimeErrors.record (table
 * runtime_errors, read by RuntimeErrors.list) as warnings, for the plugin
 * versions `shown` accepts: the published one, and any a live process still
 * runs. Rows of versions nothing runs any more are history, not something to fix.
 */
export function runtimeWarnings(
  rows: RuntimeErrorRecord[],
  shown: (plugin: string, version: string) => boolean,
  generation: number | null,
): StoredWarning[] {
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
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      count: r.count,
    }))
}
