import type { LoadReport } from '../runtime/process-registry.ts'
import type { Warning } from '../store/store-types.ts'

export interface OrphanCount {
  eventType: string
  /** The plugin that scheduled the events, when known. */
  owner: string | null
  count: number
  firstSeen: string
  lastSeen: string
}

/**
 * The load reports with one ORPHANED_EVENTS warning per orphaned event type,
 * on the plugin that scheduled those events (its Manage Plugin page shows it),
 * or on a "(events)" entry when no plugin did.
 */
export function orphanReports(reports: LoadReport[], orphans: Map<string, OrphanCount>): LoadReport[] {
  const out = reports.map((r) => ({ ...r, warnings: [...r.warnings] }))
  for (const o of orphans.values()) {
    const plugin = o.owner && out.some((r) => r.plugin === o.owner) ? o.owner : '(events)'
    let report = out.find((r) => r.plugin === plugin)
    if (!report) out.push((report = { plugin, version: null, status: 'skipped', durationMs: null, warnings: [] }))
    const warning: Warning & { firstSeen: string; lastSeen: string; count: number } = {
      code: 'ORPHANED_EVENTS',
      severity: 'warning',
      plugin,
      version: report.version,
      message: `events of type "${o.eventType}"${o.owner ? ` scheduled by ${o.owner}` : ''} are orphaned: no plugin loaded by this worker registers "${o.eventType}". They are kept, and run when a worker loads a plugin that registers the type; \`app events list --status orphaned\` shows them, \`app events cancel <id>\` drops one.`,
      detail: null,
      firstSeen: o.firstSeen,
      lastSeen: o.lastSeen,
      count: o.count,
    }
    report.warnings.push(warning)
  }
  return out
}
