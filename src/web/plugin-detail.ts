import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import { assetUrl, frontendPaths, type AdminSnapshot } from './admin-snapshot.ts'
import type { PluginDetail } from './pages/manage-plugin-page.ts'

/** Everything about one plugin for the Manage Plugin page and its JSON twin; null when the generation lacks it. */
export async function readPluginDetail(s: AdminSnapshot, store: StoreReader, runtime: Db, name: string): Promise<PluginDetail | null> {
  const plugin = s.report.plugins.find((p) => p.name === name)
  if (!plugin) return null
  const history = await store.history(name)
  const files = (await store.bundle(plugin.sha256))?.files ?? []
  const byPath = new Map(files.map((f) => [f.path, f]))
  const frontend = frontendPaths(plugin.entry.manifest).map((path) => {
    const file = byPath.get(path)
    return { path, present: Boolean(file), url: file ? assetUrl(name, path, file.sha256) : null }
  })
  const loads = new Map((runtime.prepare('SELECT process_id, status, duration_ms FROM load_reports WHERE plugin = ?').all(name) as Array<{ process_id: string; status: string; duration_ms: number | null }>)
    .map((r) => [r.process_id, { status: r.status, durationMs: r.duration_ms }]))
  const running = s.processes.filter((p) => p.live && p.role !== 'scheduler').map((process) => {
    const there = process.generation === null ? undefined : history.find((h) => h.generations.includes(process.generation!))
    return { process, version: there?.version ?? null, sha256: there?.bundleSha256 ?? null, load: loads.get(process.id) ?? null }
  })
  return { plugin, generation: s.report.generation, history, files, frontend, running }
}
