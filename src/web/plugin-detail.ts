import type { DisabledPlugin } from '../publish/disabled-plugins.ts'
import type { PluginSummary } from '../report/plugin-report.ts'
import { warningId } from '../report/warning-id.ts'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { AuditEntry } from '../runtime/audit-log.ts'
import type { PluginRequest } from '../runtime/plugin-requests.ts'
import type { ProcessInfo } from '../runtime/process-registry.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { BundleFile, PluginVersion } from '../store/store-types.ts'
import { assetUrl, frontendPaths, type AdminSnapshot } from './admin-snapshot.ts'
import { sourceExcerpt, type SourceExcerpt } from './source-excerpt.ts'

export interface ProcessLoad {
  process: ProcessInfo
  version: string | null
  sha256: string | null
  load: { status: string; durationMs: number | null } | null
}

/** What the Manage Plugin page and /api/v1/plugins/:name show, beyond the report row. */
export interface PluginDetail {
  plugin: PluginSummary
  generation: number | null
  /** Set when an operator disabled it: `plugin` is then its last version, which no generation holds. */
  disabled: DisabledPlugin | null
  history: Array<PluginVersion & { generations: number[] }>
  files: BundleFile[]
  frontend: Array<{ path: string; present: boolean; url: string | null }>
  /** Live workers and webs where it loaded, with the version there. */
  running: ProcessLoad[]
  /** Live workers and webs where it failed to load. */
  failedIn: ProcessLoad[]
  /** Its latest disable, enable and rollback requests, newest first. */
  requests: PluginRequest[]
  audit: AuditEntry[]
  /** The plugin's own source lines around the place each warning's stack names, by warning id. */
  sources: Map<string, SourceExcerpt>
}

/** A disabled plugin as a report row: the version it had, from its history, with no generation. */
function disabledSummary(name: string, history: PluginDetail['history'], d: DisabledPlugin): PluginSummary | null {
  const v = history.find((h) => h.version === d.version && h.status !== 'error') ?? history[0]
  if (!v) return null
  return {
    name,
    version: v.version,
    status: v.status,
    source: v.source,
    origin: v.origin,
    sha256: v.bundleSha256,
    warnings: [],
    entry: { ...v, rejected: null },
  }
}

/** Everything about one plugin for the Manage Plugin page and its JSON twin; null when neither the generation nor the disabled list has it. */
export async function readPluginDetail(
  s: AdminSnapshot,
  store: StoreReader,
  runtime: Pick<RuntimeBackend, 'processes' | 'console'>,
  name: string,
): Promise<PluginDetail | null> {
  const history = await store.history(name)
  const disabled = s.disabled[name] ?? null
  const plugin = s.report.plugins.find((p) => p.name === name) ?? (disabled ? disabledSummary(name, history, disabled) : null)
  if (!plugin) return null
  const files = (await store.bundle(plugin.sha256))?.files ?? []
  const byPath = new Map(files.map((f) => [f.path, f]))
  const frontend = frontendPaths(plugin.entry.manifest).map((path) => {
    const file = byPath.get(path)
    return { path, present: Boolean(file), url: file ? assetUrl(name, path, file.sha256) : null }
  })
  const [reports, requests, audit] = await Promise.all([
    runtime.processes.loadReports(name),
    runtime.console.requests.forPlugin(name),
    runtime.console.audit.list({ plugin: name, limit: 10 }),
  ])
  const loads = new Map(reports.map((r) => [r.processId, r]))
  const all = s.processes
    .filter((p) => p.live && p.role !== 'scheduler')
    .map((process): ProcessLoad => {
      const l = loads.get(process.id)
      const there = process.generation === null ? undefined : history.find((h) => h.generations.includes(process.generation!))
      return {
        process,
        version: l?.version ?? there?.version ?? null,
        sha256: there?.bundleSha256 ?? null,
        load: l ? { status: l.status, durationMs: l.durationMs } : null,
      }
    })
  const sources = new Map<string, SourceExcerpt>()
  for (const w of plugin.warnings) {
    const bundle = history.find((h) => h.version === w.version)?.bundleSha256 ?? plugin.sha256
    const excerpt = await sourceExcerpt(store, bundle, w.detail, w.plugin)
    if (excerpt) sources.set(warningId(w), excerpt)
  }
  return {
    plugin,
    generation: s.report.generation,
    disabled,
    history,
    files,
    frontend,
    running: all.filter((r) => r.load?.status === 'loaded'),
    failedIn: all.filter((r) => r.load?.status === 'failed'),
    requests,
    audit: audit.entries,
    sources,
  }
}
