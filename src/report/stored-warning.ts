import type { WarningCode } from '../errors/codes.ts'
import type { Severity } from '../store/store-types.ts'
import { compareText } from './compare-text.ts'

/** A warning as the admin page, the API and `app plugins warnings` show it (DESIGN section 6). */
export interface StoredWarning {
  code: WarningCode
  severity: Severity
  plugin: string | null
  version: string | null
  message: string
  detail: string | null
  /** 'ingest', or the processes that saw it: 'worker@host:pid'. */
  where: string[]
  generation: number | null
  firstSeen: string
  lastSeen: string
  count: number
}

const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

/** Same code, plugin, version and message from several places: one row that says who saw it. */
export function mergeWarnings(warnings: StoredWarning[]): StoredWarning[] {
  const merged = new Map<string, StoredWarning>()
  for (const w of warnings) {
    const key = JSON.stringify([w.code, w.plugin, w.version, w.message])
    const m = merged.get(key)
    if (!m) {
      merged.set(key, { ...w, where: [...w.where] })
      continue
    }
    for (const place of w.where) if (!m.where.includes(place)) m.where.push(place)
    m.count += w.count
    if (w.firstSeen < m.firstSeen) m.firstSeen = w.firstSeen
    if (w.lastSeen > m.lastSeen) m.lastSeen = w.lastSeen
    m.detail ??= w.detail
  }
  return [...merged.values()].sort(
    (a, b) => rank[a.severity] - rank[b.severity] || compareText(a.plugin ?? '', b.plugin ?? '') || compareText(a.code, b.code),
  )
}
