import type { Severity, Warning } from '../store/store-types.ts'
import type { LoadWarning } from './plugin-host.ts'
import type { WarningCode } from '../errors/codes.ts'

/** One plugin's load warnings: a repeat of the same code and message counts up instead of adding a row. */
export function createWarningBook(plugin: string, version: string | null) {
  const byKey = new Map<string, LoadWarning>()
  return {
    add(w: { code: WarningCode; severity: Severity; message: string; detail?: string | null }): LoadWarning {
      const now = new Date().toISOString()
      const key = `${w.code}\u0000${w.message}`
      const seen = byKey.get(key)
      if (seen) {
        seen.count++
        seen.lastSeen = now
        return seen
      }
      const added: LoadWarning = {
        code: w.code,
        severity: w.severity,
        plugin,
        version,
        message: w.message,
        detail: w.detail ?? null,
        firstSeen: now,
        lastSeen: now,
        count: 1,
      }
      byKey.set(key, added)
      return added
    },
    list(): LoadWarning[] {
      return [...byKey.values()]
    },
    has(code: WarningCode): boolean {
      return [...byKey.values()].some((w) => w.code === code)
    },
  }
}

export type WarningBook = ReturnType<typeof createWarningBook>
export type { Warning }
