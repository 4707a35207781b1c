import { listProcesses } from '../runtime/process-registry.ts'
import type { Db } from '../store/open-database.ts'

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

/** Which live processes run which version of a plugin, from their load reports in runtime.db. */
export async function pluginProcesses(runtime: Db, plugin: string): Promise<PluginProcess[]> {
  const live = new Map((await listProcesses(runtime)).filter((p) => p.live).map((p) => [p.id, p]))
  const rows = runtime
    .prepare('SELECT process_id, version, status, duration_ms, warnings FROM load_reports WHERE plugin = ?')
    .all(plugin) as Array<{ process_id: string; version: string | null; status: string; duration_ms: number | null; warnings: string }>
  return rows
    .flatMap((r) => {
      const p = live.get(r.process_id)
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
          durationMs: r.duration_ms,
          warnings: (JSON.parse(r.warnings) as unknown[]).length,
        },
      ]
    })
    .sort((a, b) => a.role.localeCompare(b.role) || a.pid - b.pid)
}
