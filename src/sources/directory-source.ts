import { readdirSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { watch as chokidarWatch } from 'chokidar'
import type { BundleLimits, FileCache } from '../bundle/read-bundle.ts'
import type { Trust } from '../signing/create-trust.ts'
import { SINGLE_FILE_PLUGIN } from '../manifest/read-plugin-manifest.ts'
import { inspectPluginDir, inspectPluginFile } from './inspect-plugin-dir.ts'
import type { Candidate, Notice, PluginSource, ScanResult } from './source-types.ts'

/**
 * A change younger than this may not be whole yet: its files are re-hashed rather than taken from the cache, and
 * the scan that saw it looks again once it is this old (ScanResult.recheckMs).
 */
const RECHECK_MS = 1000

export interface ArchiveHandler {
  /** Extensions handled, e.g. ['.zip', '.tgz', '.tar.gz']. */
  extensions: string[]
  inspect(
    file: string,
    options: { source: string; origin: string; limits: BundleLimits },
  ): Promise<{ candidates: Candidate[]; notices: Notice[] }>
}

/**
 * The scheduler's local plugins directory: each immediate child folder with a
 * plugin.json (or a package.json with "appPlugin") is a plugin, and so is a
 * module file exporting a manifest; archives go to the archive handler.
 * Keeps a size/mtime cache so an unchanged rescan does not re-read files.
 */
export function createDirectorySource(
  dir: string,
  options: { limits: BundleLimits; settleMs: number; archives?: ArchiveHandler; trust?: Trust },
): PluginSource {
  const root = resolve(dir)
  const cache: FileCache = new Map()
  return {
    key: `directory:${root}`,
    kind: 'directory',
    async scan(): Promise<ScanResult> {
      let names: string[]
      try {
        names = readdirSync(root).sort()
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { candidates: [], notices: [], reachable: true }
        throw e
      }
      const candidates: Candidate[] = []
      const notices: Notice[] = []
      let newest = 0
      const folders = new Set<string>()
      for (const name of names) {
        if (name.startsWith('.')) continue // .gitkeep, .DS_Store, editors' temp files
        const abs = join(root, name)
        const st = statSync(abs, { throwIfNoEntry: false })
        if (!st) continue // removed while we looked
        const archive = options.archives?.extensions.find((ext) => name.endsWith(ext))
        if (st.isFile() && archive && options.archives) {
          newest = Math.max(newest, st.ctimeMs)
          const found = await options.archives.inspect(abs, { source: 'directory', origin: abs, limits: options.limits })
          candidates.push(...found.candidates)
          notices.push(...found.notices)
          continue
        }
        const single = st.isFile() && SINGLE_FILE_PLUGIN.test(name)
        if (!st.isDirectory() && !single) {
          notices.push({
            key: `NOT_A_PLUGIN:${abs}`,
            code: 'NOT_A_PLUGIN',
            severity: 'info',
            plugin: null,
            version: null,
            message: `${name} in the plugins directory is neither a plugin folder, a plugin module file (.js, .mjs, .cjs, .ts, .mts exporting a manifest) nor an archive (.zip, .tgz); it is ignored.`,
            detail: abs,
          })
          continue
        }
        const inspect = single ? inspectPluginFile : inspectPluginDir
        const candidate = await inspect(abs, {
          source: 'directory',
          origin: abs,
          limits: options.limits,
          cache,
          trustAfterMs: Math.max(options.settleMs, RECHECK_MS),
          trust: options.trust,
        })
        newest = Math.max(newest, st.ctimeMs, candidate.bundle.newestChangeMs)
        folders.add(name)
        if (candidate.check.warnings.some((w) => w.code === 'NOT_A_PLUGIN')) {
          const w = candidate.check.warnings[0]!
          notices.push({ ...w, key: `NOT_A_PLUGIN:${abs}`, severity: 'info', plugin: null })
          continue
        }
        candidates.push(candidate)
      }
      // Forget files of folders that are gone, so the cache does not grow without bound.
      for (const path of cache.keys()) if (!folders.has(path.slice(root.length + 1).split('/', 1)[0]!)) cache.delete(path)
      // A change this very millisecond has a ctime (sub-millisecond) ahead of Date.now(), and a clock set back
      // leaves ctimes in the future: neither is older than now, and neither makes a wait longer than settleMs.
      const age = Math.max(0, Date.now() - newest)
      const unsettledMs = options.settleMs > 0 && age < options.settleMs ? Math.ceil(options.settleMs - age) : undefined
      const recheckMs = age < RECHECK_MS ? Math.ceil(RECHECK_MS - age) : undefined
      return { candidates, notices, reachable: true, unsettledMs, recheckMs }
    },
    async watch(onChange) {
      // Watching a folder that does not exist yet would miss its creation: make it, as a user would expect.
      await mkdir(root, { recursive: true })
      const watcher = chokidarWatch(root, { ignoreInitial: true, depth: 40, followSymlinks: false })
      watcher.on('all', () => onChange())
      await new Promise<void>((res, rej) => watcher.once('ready', res).once('error', rej))
      return () => watcher.close()
    },
  }
}
