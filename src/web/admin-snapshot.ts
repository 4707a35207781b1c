import { readDisabledPlugins, type DisabledPlugins } from '../publish/disabled-plugins.ts'
import { buildPluginReport, type PluginReport } from '../report/plugin-report.ts'
import { restartGuidance, type RestartNeed } from '../report/restart-guidance.ts'
import { pendingPluginNames, type PluginRequest } from '../runtime/plugin-requests.ts'
import { readWarningAcks, type WarningAck } from '../runtime/warning-acks.ts'
import { listProcesses, STALE_AFTER_MS, type ProcessInfo } from '../runtime/process-registry.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'

/** A plugin frontend file the admin shell loads on every page. */
export interface FrontendFile {
  plugin: string
  path: string
  kind: 'script' | 'style'
  url: string
}

/** Everything the pages and the API render, read together. */
export interface AdminSnapshot {
  report: PluginReport
  /** Processes not marked stopped, newest first, with liveness, as of this snapshot. */
  processes: ProcessInfo[]
  /** Live workers and webs whose restart would change a plugin they run (see restartGuidance). */
  restartNeeded: ProcessInfo[]
  /** The same processes, each with the plugins a restart would change. */
  restart: RestartNeed[]
  /** Acknowledged warnings by warning id. */
  acks: Map<string, WarningAck>
  /** Plugins an operator disabled (left out of the generation), by name. */
  disabled: DisabledPlugins
  /** The pending disable, enable or rollback request of each plugin that has one. */
  pending: Map<string, PluginRequest>
  /** Frontend JS and CSS of every loaded plugin, plugin by plugin, each in manifest order. */
  frontend: FrontendFile[]
  /**
   * Something derived from this snapshot (a rendered page, a JSON body), built once and reused while
   * the snapshot stands and the entry is younger than maxAgeMs. A new snapshot starts empty.
   */
  memo<T>(key: string, maxAgeMs: number, build: () => Promise<T>): Promise<T>
}

export interface SnapshotOptions {
  store: StoreReader & { sqlite?: Db }
  runtime: Db
  /** The plugins this process loaded: their frontend files are the ones the shell loads. Without it: every plugin of the store not in error. */
  host?: Pick<PluginHost, 'frontend' | 'generation'> | null
}

export const assetUrl = (plugin: string, path: string, sha256: string) =>
  `/plugins/${encodeURIComponent(plugin)}/assets/${path.split('/').map(encodeURIComponent).join('/')}?v=${sha256.slice(0, 12)}`

/**
 * Reads the report, the processes and the frontend list, and reuses them
 * until something they show changes: a commit to plugins.db (SQLite's
 * data_version), a changed load report or run-time error count, or a process that starts, stops,
 * loads another generation or goes silent. Heartbeats alone change nothing,
 * so a busy admin does not rebuild a 200-plugin report per request, and the
 * page is never staler than the databases.
 */
export function createSnapshotSource(options: SnapshotOptions) {
  const { store, runtime } = options
  const storeVersion = store.sqlite ? store.sqlite.prepare('PRAGMA data_version').pluck() : null
  // data_version moves on other connections' commits, total_changes() on this one's (this process's load reports).
  const runtimeVersion = runtime.prepare("SELECT (SELECT data_version FROM pragma_data_version) || '/' || total_changes()").pluck()
  // Run-time errors count up rows rather than add them: their total count changes with each one recorded.
  // Plugin settings: a set or unset changes SETTINGS_INVALID warnings.
  const runtimeState = runtime
    .prepare(`SELECT (SELECT count(*) || '/' || ifnull(max(updated_at), '') FROM load_reports) || '|' ||
    (SELECT count(*) || '/' || ifnull(sum(count), 0) FROM runtime_errors) || '|' ||
    (SELECT count(*) || '/' || ifnull(max(updated_at), '') FROM plugin_settings) || '|' ||
    (SELECT count(*) || '/' || ifnull(max(acked_at), '') FROM warning_acks) || '|' ||
    (SELECT ifnull(max(id), 0) || '/' || ifnull(max(finished_at), '') FROM plugin_requests) || '|' ||
    ifnull((SELECT group_concat(id || '/' || ifnull(generation, '-') || '/' || (heartbeat_at >= ?), ',') FROM processes WHERE stopped_at IS NULL), '')`)
    .pluck()
  let cached: { key: string; snapshot: Promise<AdminSnapshot> } | null = null
  let checked = { versions: '', at: 0, state: '' }

  /** What the pages show of runtime.db, read again only after a commit or once a second (a silent process turns "dead" by time alone). */
  function runtimeKey(now: number): string {
    const versions = runtimeVersion.get() as string
    if (versions !== checked.versions || now - checked.at >= 1000) {
      checked = { versions, at: now, state: runtimeState.get(new Date(now - STALE_AFTER_MS).toISOString()) as string }
    }
    return checked.state
  }

  async function build(): Promise<AdminSnapshot> {
    const report = await buildPluginReport(store, runtime)
    const processes = await listProcesses(runtime)
    const current =
      report.generation === null
        ? null
        : { id: report.generation, createdAt: report.generatedAt ?? '', reason: '', plugins: report.plugins.map((p) => p.entry) }
    const restart = await restartGuidance(store, runtime, processes, current)
    const restartNeeded = restart.map((r) => r.process)
    const frontend: FrontendFile[] = []
    const add = (plugin: string, path: string, sha256: string) => {
      const kind = path.endsWith('.css') ? 'style' : path.endsWith('.js') || path.endsWith('.mjs') ? 'script' : null
      if (kind) frontend.push({ plugin, path, kind, url: assetUrl(plugin, path, sha256) })
    }
    if (options.host) {
      for (const entry of options.host.frontend()) for (const f of entry.files) add(entry.plugin, f.path, f.sha256)
    } else {
      for (const p of report.plugins) {
        const wanted = p.status === 'error' ? [] : frontendPaths(p.entry.manifest)
        if (!wanted.length) continue
        const files = new Map((await store.bundle(p.sha256))?.files.map((f) => [f.path, f]))
        for (const path of wanted) {
          const file = files.get(path)
          if (file) add(p.name, path, file.sha256)
        }
      }
    }
    const memos = new Map<string, { at: number; value: Promise<unknown> }>()
    return {
      report,
      processes,
      restartNeeded,
      restart,
      frontend,
      acks: readWarningAcks(runtime),
      disabled: await readDisabledPlugins(store),
      pending: pendingPluginNames(runtime),
      memo<T>(key: string, maxAgeMs: number, make: () => Promise<T>): Promise<T> {
        const now = Date.now()
        const hit = memos.get(key)
        if (hit && now - hit.at < maxAgeMs) return hit.value as Promise<T>
        const value = make()
        if (memos.size >= 200) memos.clear() // keys follow query strings: keep the set bounded
        memos.set(key, { at: now, value })
        value.catch(() => memos.delete(key))
        return value
      },
    }
  }

  return {
    get(): Promise<AdminSnapshot> {
      // With no SQLite handle (a future PostgreSQL store) every request reads afresh.
      const key = `${options.host?.generation ?? ''}:${storeVersion?.get() ?? Math.random()}:${runtimeKey(Date.now())}`
      if (cached?.key === key) return cached.snapshot
      const snapshot = build()
      cached = { key, snapshot }
      snapshot.catch(() => {
        if (cached?.snapshot === snapshot) cached = null
      })
      return snapshot
    },
  }
}

/** manifest.frontend, in order, strings only. */
export function frontendPaths(manifest: Record<string, unknown>): string[] {
  return Array.isArray(manifest.frontend) ? manifest.frontend.filter((f): f is string => typeof f === 'string') : []
}

export type SnapshotSource = ReturnType<typeof createSnapshotSource>
