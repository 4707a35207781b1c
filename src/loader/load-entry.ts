import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { StoreReader } from '../store/store-reader.ts'
import type { Bundle, GenerationEntry } from '../store/store-types.ts'
import { onPluginWarning, type HostState } from './host-state.ts'
import { loadPlugin, type PluginLoad } from './load-plugin.ts'
import { materializeBundle } from './materialize-bundle.ts'
import type { FrontendEntry } from './plugin-host.ts'
import { createWarningBook } from './warning-book.ts'
import { describeError } from './with-timeout.ts'

/** Materializes (or reuses) the bundle and imports and loads the plugin; its registrations stay staged. */
export async function loadEntry(
  state: HostState,
  entry: GenerationEntry,
  store: () => Promise<StoreReader>,
): Promise<{ load: PluginLoad | null; frontend: FrontendEntry | null }> {
  const frontendPaths = Array.isArray(entry.manifest.frontend) ? (entry.manifest.frontend as string[]) : []
  const files = await materializeEntry(state, entry, store, frontendPaths.length > 0)
  if (!files) return { load: null, frontend: null }
  const { dir, bundle } = files
  const load = await loadPlugin({
    plugin: { name: entry.name, version: entry.version, manifest: entry.manifest },
    dir,
    cacheDir: state.cacheDir,
    registries: state.registries,
    services: state.options.services,
    timeoutMs: state.timeoutMs,
    onWarning: () => onPluginWarning(state, entry.name),
    logger: state.options.logger,
  })
  state.lastLoad.set(entry.name, load)
  const frontend = frontendPaths.length ? frontendOf(entry, dir, bundle, frontendPaths) : null
  if (!load.ok) {
    const first = load.scope.warnings().find((w) => w.severity === 'error')
    state.log?.warn({ plugin: entry.name, version: entry.version, code: first?.code }, first?.message ?? 'plugin not loaded')
  }
  return { load, frontend }
}

/**
 * The bundle's directory in the cache: reused when it exists, else written from the store (or by
 * options.bundleDir, which fetches it itself). With frontend
 * files the bundle is read anyway (their hashes and sizes come from it). Null: the files could not be
 * written, and the plugin's report says why.
 */
async function materializeEntry(
  state: HostState,
  entry: GenerationEntry,
  store: () => Promise<StoreReader>,
  needsBundle: boolean,
): Promise<{ dir: string; bundle: Bundle | null } | null> {
  let dir = join(state.cacheDir, entry.bundleSha256)
  let bundle: Bundle | null = null
  try {
    const { bundleDir } = state.options
    if (bundleDir) {
      dir = await bundleDir(entry.bundleSha256)
      // The frontend's hashes and sizes come from the bundle's row (the directory holds just the files).
      if (needsBundle) bundle = await (await store()).bundle(entry.bundleSha256)
    } else if (!existsSync(dir) || needsBundle) {
      const s = await store()
      bundle = await s.bundle(entry.bundleSha256)
      if (!bundle) throw new Error(`bundle ${entry.bundleSha256} is not in the plugin store`)
      dir = await materializeBundle(state.cacheDir, bundle, (sha) => s.blob(sha))
    }
    return { dir, bundle }
  } catch (error) {
    const book = createWarningBook(entry.name, entry.version)
    const e = describeError(error)
    book.add({
      code: /hash|match/.test(e.message) ? 'CHECKSUM_MISMATCH' : 'IMPORT_FAILED',
      severity: 'error',
      message: `plugin "${entry.name}": its files could not be written to ${state.cacheDir}: ${e.message}`,
      detail: e.detail,
    })
    state.reports.set(entry.name, { plugin: entry.name, version: entry.version, status: 'failed', durationMs: null, warnings: book.list() })
    state.log?.warn({ plugin: entry.name, err: error }, 'plugin files could not be materialized; not loaded')
    return null
  }
}

/** The frontend files the manifest names that the bundle holds, with their place in the cache. */
function frontendOf(entry: GenerationEntry, dir: string, bundle: Bundle | null, frontendPaths: string[]): FrontendEntry {
  const files = new Map(bundle?.files.map((f) => [f.path, f]))
  return {
    plugin: entry.name,
    version: entry.version,
    sha256: entry.bundleSha256,
    files: frontendPaths
      .filter((p) => files.has(p))
      .map((p) => ({ path: p, file: join(dir, p), sha256: files.get(p)!.sha256, size: files.get(p)!.size })),
  }
}
