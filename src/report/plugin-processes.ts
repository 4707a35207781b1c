import type { Db } from '../store/open-database.ts'
import { type ReportRuntime, reportRuntimeOf } from './report-runtime.ts'

export interface PluginProcess {
  process: string
  role: string
  host: string
  pid: number
  generation: number | null
  version: string | null
  status: string
  durationMs: number | null
  warnings: number
}

/** Which live processes run which version of a plugin, from their load reports. */
export async function pluginProcesses(runtime: ReportRuntime | Db, plugin: string): Promise<PluginProcess[]> {
  const ports = reportRuntimeOf(runtime)
  const [processes, loads] = await Promise.all([ports.processes.list(), ports.processes.loadReports(plugin)])
  const live = new Map(processes.filter((p) => p.live).map((p) => [p.id, p]))
  return loads
    .flatMap((r) => {
      const p = live.get(r.processId)
      if (!p) return []
      return [
        {
          process: p.id,
          role: p.role,
          host: p.host,
          pid: p.pid,
          generation: p.generation,
          version: r.version,
          status: r.status,
          durationMs: r.durationMs,
          warnings: r.warnings.length,
        },
      ]
    })
    .sort((a, b) => a.role.localeCompare(b.role) || a.pid - b.pid)
}
