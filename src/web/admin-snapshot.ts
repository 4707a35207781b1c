import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { readDisabledPlugins, type DisabledPlugins } from '../publish/disabled-plugins.ts'
import { buildPluginReport, readRegistry, type PluginReport } from '../report/plugin-report.ts'
import { restartGuidance, type RestartNeed } from '../report/restart-guidance.ts'
import type { PluginRequest } from '../runtime/plugin-requests.ts'
import type { WarningAck } from '../runtime/warning-acks.ts'
import type { ProcessInfo } from '../runtime/process-registry.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import { changeSignal } from './change-signal.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Generation } from '../store/store-types.ts'
import type { WebStore } from './web-store.ts'

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
  store: WebStore
  runtime: RuntimeBackend
  /** The plugins this process loaded: their frontend files are the ones the shell loads. Without it: every plugin of the store not in error. */
  host?: Pick<PluginHost, 'frontend' | 'generation'> | null
}

export const assetUrl = (plugin: string, path: string, sha256: string) =>
  `/plugins/${encodeURIComponent(plugin)}/assets/${path.split('/').map(encodeURIComponent).join('/')}?v=${sha256.slice(0, 12)}`

/**
 * Reads the report, the processes and the frontend list, and reuses them
 * until something they show changes: a commit to the plugin store, a changed load
 * report or run-time error count, or a process that starts, stops, loads
 * another generation or goes silent. Heartbeats alone change nothing, so a
 * busy admin does not rebuild a 200-plugin report per request, and the page
 * is never staler than the databases: each request asks changeSignal (on
 * SQLite a pread, not a query; on PostgreSQL two small queries) whether
 * anything changed.
 */
export function createSnapshotSource(options: SnapshotOptions) {
  const { store, runtime } = options
  const changed = changeSignal(store, runtime)
  let cached: { key: string; snapshot: Promise<AdminSnapshot> } | null = null

  const generations = keptGenerations(store)

  async function build(): Promise<AdminSnapshot> {
    const registry = await readRegistry(runtime)
    const report = await buildPluginReport(generations, runtime, registry)
    const { processes } = registry
    const current =
      report.generation === null
        ? null
        : { id: report.generation, createdAt: report.generatedAt ?? '', reason: '', plugins: report.plugins.map((p) => p.entry) }
    const restart = await restartGuidance(generations, registry.loads, processes, current)
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
    const [acks, disabled, pending] = await Promise.all([
      runtime.console.acks.all(),
      readDisabledPlugins(store),
      runtime.console.requests.pending(),
    ])
    return {
      report,
      processes,
      restartNeeded,
      restart,
      frontend,
      acks,
      disabled,
      pending: new Map(pending.map((r) => [r.plugin, r])), // oldest first: a plugin's latest request wins
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
    async get(): Promise<AdminSnapshot> {
      const key = `${options.host?.generation ?? ''}:${await changed()}`
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

/**
 * The store's generations, each read once: a generation never changes after it is published (a
 * rollback or a disable publishes a new one), so a report rebuilt for a runtime.db change, or for a
 * new generation, reads only what it has not read yet (1,200 plugins take ~15 ms to read).
 */
function keptGenerations(store: StoreReader): Pick<StoreReader, 'currentGeneration' | 'generation' | 'notices'> {
  const kept = new Map<number, Generation>()
  const generation = async (id: number) => {
    const hit = kept.get(id)
    if (hit) return hit
    const read = await store.generation(id)
    if (!read) return null
    if (kept.size >= 4) kept.delete(kept.keys().next().value!) // the current one and those processes still run
    kept.set(id, read)
    return read
  }
  return {
    generation,
    async currentGeneration() {
      const id = await store.currentGenerationId()
      // Pruned between the two reads (a publish just now): read it whole, as before.
      return id === null ? null : ((await generation(id)) ?? store.currentGeneration())
    },
    notices: () => store.notices(),
  }
}

/** manifest.frontend, in order, strings only. */
export function frontendPaths(manifest: Record<string, unknown>): string[] {
  return Array.isArray(manifest.frontend) ? manifest.frontend.filter((f): f is string => typeof f === 'string') : []
}

export type SnapshotSource = ReturnType<typeof createSnapshotSource>
