import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { GenerationEntry, PluginVersion } from '../store/store-types.ts'
import type { ProcessInfo, StoredLoadReport } from '../runtime/process-info.ts'
import { type ReportRuntime, reportRuntimeOf } from './report-runtime.ts'
import { runtimeWarnings } from './runtime-warnings.ts'
import { settingsWarnings } from './settings-warnings.ts'
import { mergeWarnings, type StoredWarning } from './stored-warning.ts'

/** A load report's warning as a process stored it: a repeat may carry its own count and times. */
type ReportedWarning = Partial<StoredWarning> & { code: string; severity: StoredWarning['severity']; message: string }

/** The process registry as one read: the web snapshot reads it once for the report and the restart guidance. */
export interface RegistryRead {
  processes: ProcessInfo[]
  loads: StoredLoadReport[]
}

export const readRegistry = async (runtime: ReportRuntime): Promise<RegistryRead> => {
  const [processes, loads] = await Promise.all([runtime.processes.list(), runtime.processes.loadReports()])
  return { processes, loads }
}

export type PluginStatus = 'ok' | 'warning' | 'error'

export interface PluginSummary {
  name: string
  version: string
  /** error: not loaded; warning: loaded, but something needs attention; ok otherwise. */
  status: PluginStatus
  source: string
  origin: string
  sha256: string
  warnings: StoredWarning[]
  entry: GenerationEntry
}

export interface PluginReport {
  generation: number | null
  generatedAt: string | null
  plugins: PluginSummary[]
  /** Every warning: ingest, scan notices and what each live process saw, merged. */
  warnings: StoredWarning[]
}

/**
 * Everything known about the current generation's plugins and their warnings,
 * merged from the plugin store (ingest) and the runtime tables (per process), on
 * either backend. The CLI, the JSON API and the admin page all render this one
 * report. `registry`: the registry as the caller already read it.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one read of the store and the runtime tables assembled into the report; the steps share the rows read
export async function buildPluginReport(
  store: Pick<StoreReader, 'currentGeneration' | 'notices'>,
  runtime?: ReportRuntime | Db | null,
  registry?: RegistryRead,
): Promise<PluginReport> {
  const generation = await store.currentGeneration()
  const notices = await store.notices()
  const all: StoredWarning[] = []
  const ingest = (v: PluginVersion): StoredWarning[] =>
    v.warnings.map((w) => ({
      code: w.code,
      severity: w.severity,
      plugin: v.name,
      version: v.version,
      message: w.message,
      detail: w.detail ?? null,
      where: ['ingest'],
      generation: generation?.id ?? null,
      firstSeen: v.publishedAt,
      lastSeen: v.publishedAt,
      count: 1,
    }))
  const perPlugin = new Map<string, StoredWarning[]>()
  const add = (plugin: string | null, ws: StoredWarning[]) => {
    all.push(...ws)
    if (plugin) perPlugin.set(plugin, [...(perPlugin.get(plugin) ?? []), ...ws])
  }
  for (const p of generation?.plugins ?? []) {
    add(p.name, ingest(p))
    if (p.rejected) {
      const reason = p.rejected.warnings.find((w) => w.severity === 'error')
      add(p.name, [
        {
          code: 'UPDATE_REJECTED',
          severity: 'error',
          plugin: p.name,
          version: p.rejected.version,
          message: `the update of ${p.name} to ${p.rejected.version} (${p.rejected.origin}) was rejected, so ${p.version} stays loaded: ${reason ? `${reason.code}: ${reason.message}` : 'it failed validation'}`,
          detail: p.rejected.origin,
          where: ['ingest'],
          generation: generation!.id,
          firstSeen: p.rejected.publishedAt,
          lastSeen: p.rejected.publishedAt,
          count: 1,
        },
      ])
      add(p.name, ingest(p.rejected))
    }
  }
  for (const n of notices) {
    add(n.plugin, [
      {
        code: n.code,
        severity: n.severity,
        plugin: n.plugin,
        version: n.version,
        message: n.message,
        detail: n.detail ?? null,
        where: ['ingest'],
        generation: generation?.id ?? null,
        firstSeen: n.firstSeen,
        lastSeen: n.lastSeen,
        count: n.count,
      },
    ])
  }
  // Per plugin: how many live processes reported loading it, and how many failed to.
  const loadStatus = new Map<string, { failed: number; total: number }>()
  const running = new Set<string>()
  if (runtime) {
    const ports = reportRuntimeOf(runtime)
    const [{ processes, loads }, errors] = await Promise.all([registry ?? readRegistry(ports), ports.errors.list()])
    const live = new Map(processes.filter((p) => p.live).map((p) => [p.id, p]))
    for (const row of loads) {
      const proc = live.get(row.processId)
      if (!proc) continue
      const seen = loadStatus.get(row.plugin) ?? { failed: 0, total: 0 }
      seen.total++
      if (row.status === 'failed') seen.failed++
      loadStatus.set(row.plugin, seen)
      running.add(`${row.plugin}\u0000${row.version ?? ''}`)
      if (!row.warnings.length) continue
      const ws = (row.warnings as ReportedWarning[]).map((w) => ({
        code: w.code,
        severity: w.severity,
        plugin: row.plugin,
        version: row.version,
        message: w.message,
        detail: w.detail ?? null,
        where: [`${proc.role}@${proc.host}:${proc.pid}`],
        generation: proc.generation,
        firstSeen: w.firstSeen ?? proc.startedAt,
        lastSeen: w.lastSeen ?? proc.heartbeatAt,
        count: w.count ?? 1,
      }))
      add(row.plugin, ws)
    }
    // Run-time failures (RUNTIME_ERROR), kept in their own table: of the published version, or one a live process runs.
    const published = new Map((generation?.plugins ?? []).map((p) => [p.name, p.version]))
    const shown = (plugin: string, version: string) => published.get(plugin) === version || running.has(`${plugin}\u0000${version}`)
    for (const w of runtimeWarnings(errors, shown, generation?.id ?? null)) add(w.plugin, [w])
    // Declared settings left unset or mistyped (SETTINGS_INVALID): from the manifests and the stored values, current as of now.
    for (const w of await settingsWarnings(ports.settings, loads, generation?.plugins ?? [], live, generation?.id ?? null))
      add(w.plugin, [w])
  }
  const plugins = (generation?.plugins ?? []).map((p): PluginSummary => {
    const warnings = mergeWarnings(perPlugin.get(p.name) ?? [])
    const load = loadStatus.get(p.name)
    // Passed the dry run but failed to load in every live process that tried: it is not loaded anywhere.
    const failedEverywhere = load !== undefined && load.total > 0 && load.failed === load.total
    const status: PluginStatus =
      p.status === 'error' || failedEverywhere ? 'error' : warnings.some((w) => w.severity !== 'info') ? 'warning' : 'ok'
    return { name: p.name, version: p.version, status, source: p.source, origin: p.origin, sha256: p.bundleSha256, warnings, entry: p }
  })
  return { generation: generation?.id ?? null, generatedAt: generation?.createdAt ?? null, plugins, warnings: mergeWarnings(all) }
}
