import type { PluginReport, PluginSummary } from './plugin-report.ts'
import type { StoredWarning } from './stored-warning.ts'

/** One warning as `app plugins warnings --json` and `app plugins show --json` print it. */
export const warningJson = (w: StoredWarning) => ({
  code: w.code,
  severity: w.severity,
  plugin: w.plugin,
  version: w.version,
  message: w.message,
  detail: w.detail,
  where: w.where,
  generation: w.generation,
  firstSeen: w.firstSeen,
  lastSeen: w.lastSeen,
  count: w.count,
})

/** One plugin as `app plugins list --json` prints it (its warnings in short). */
export const pluginJson = (p: PluginSummary) => ({
  name: p.name,
  version: p.version,
  status: p.status,
  source: p.source,
  origin: p.origin,
  sha256: p.sha256,
  warnings: p.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message })),
})

/** What `app plugins list --json` prints. */
export const pluginListJson = (report: PluginReport) => ({ generation: report.generation, plugins: report.plugins.map(pluginJson) })

/** What `app plugins warnings --json` prints. */
export const warningListJson = (report: PluginReport) => ({ warnings: report.warnings.map(warningJson) })
