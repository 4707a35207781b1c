import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { treeBytes } from '../fs/disk-full-error.ts'
import type { Logger } from '../log/create-logger.ts'
import type { ProcessInfo } from '../runtime/process-registry.ts'
import { runsPlugins } from '../runtime/read-processes.ts'
import type { StoreReader } from '../store/store-reader.ts'
import { cacheDirOf } from './materialize-bundle.ts'

/** A temp dir this old was left by a writer that died, whoever it was (a pid reused since, another pid namespace). */
export const STALE_TMP_MS = 10 * 60_000
const BUNDLE_DIR = /^[0-9a-f]{64}$/
/** `.tmp-<sha12>-<pid>-...` (materializeBundle, and collection itself) and `package.json.<pid>-<thread>.tmp`. */
const TMP_DIR = /^\.tmp-[0-9a-f]{12}-(\d+)-/
const TMP_MARKER = /^package\.json\.(\d+)-\d+\.tmp$/
/** A bundle renamed by a collection that could not finish deleting it: never in use. */
const GC_DIR = /^\.tmp-[0-9a-f]{12}-\d+-gc-/

export interface CacheCollection {
  /** Bundle directories removed, and the temp leftovers of interrupted materializations. */
  removed: string[]
  freedBytes: number
  kept: number
  /** Set when bundles were kept because a live process may use bundles the store no longer names. */
  keptAllBecause: string | null
}

/**
 * Garbage-collects data/cache (DESIGN section 2: content-addressed and
 * disposable). Removes a bundle directory unless a kept generation's plugin
 * set needs it, and temp dirs whose writer is gone. A bundle a live process
 * may have loaded is never removed: every live process (a recent heartbeat in
 * runtime.db) runs a kept generation (publishes pin those), or, should one
 * not, no bundle is removed at all.
 *
 * Call it only while holding the writer lock and between publish passes: the
 * publish dry run writes candidates into the cache that no generation names yet.
 * `processes` null means the process registry could not be read: keep every bundle.
 */
export async function collectCache(options: {
  dataDir: string
  store: StoreReader
  processes: ProcessInfo[] | null
  logger?: Logger
  now?: number
}): Promise<CacheCollection> {
  const cacheDir = cacheDirOf(options.dataDir)
  const result: CacheCollection = { removed: [], freedBytes: 0, kept: 0, keptAllBecause: null }
  if (!existsSync(cacheDir)) return result
  const now = options.now ?? Date.now()
  const { bundles, generations } = await options.store.keptBundles()
  const needed = new Set(bundles)
  const live = options.processes?.filter(runsPlugins) ?? null
  result.keptAllBecause = live === null ? 'the process registry in runtime.db could not be read' : unknownLoads(live, generations)
  const livePids = new Set(options.processes?.filter((p) => p.live).map((p) => p.pid))
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name)
    if (BUNDLE_DIR.test(name)) {
      if (needed.has(name) || result.keptAllBecause) result.kept++
      else remove(path, name, result, true)
      continue
    }
    const pid = Number((TMP_DIR.exec(name) ?? TMP_MARKER.exec(name))?.[1] ?? NaN)
    if (Number.isNaN(pid)) continue // package.json, or something that is not ours
    if (GC_DIR.test(name) || writerGone(path, pid, livePids, now)) remove(path, name, result, false)
  }
  if (result.removed.length)
    options.logger?.info(
      { removed: result.removed.length, freedBytes: result.freedBytes, kept: result.kept },
      'removed plugin bundles no kept generation needs from the cache',
    )
  if (result.keptAllBecause) options.logger?.debug({ reason: result.keptAllBecause }, 'kept every cached bundle')
  return result
}

/**
 * collectCache as the scheduler and `app plugins sync` run it: reads the
 * process registry through `processes` (the runtime backend's registry, or
 * runtime.db opened read-only; a registry that cannot be read keeps every
 * bundle), and never throws: a failed collection is logged and tried again later.
 */
export async function tidyCache(options: {
  dataDir: string
  store: StoreReader
  processes: () => Promise<ProcessInfo[] | null>
  logger?: Logger
}): Promise<CacheCollection | null> {
  try {
    const processes = await options.processes().catch(() => null)
    return await collectCache({ ...options, processes })
  } catch (error) {
    options.logger?.warn({ err: error }, 'could not collect unused bundles from the plugin cache; trying again later')
    return null
  }
}

/**
 * Why some live process may be running bundles the store no longer names (so
 * none may be removed), or null. A process records the generation it loaded;
 * one still loading (no generation yet) loads the newest generation at its
 * start or a later one, which is kept unless the store has pruned since.
 */
function unknownLoads(live: ProcessInfo[], generations: Array<{ id: number; createdAt: string }>): string | null {
  const kept = new Set(generations.map((g) => g.id))
  const oldest = generations[0]
  const pruned = oldest !== undefined && oldest.id > 1
  for (const p of live) {
    if (p.generation !== null ? !kept.has(p.generation) : pruned && Date.parse(oldest!.createdAt) > Date.parse(p.startedAt)) {
      return `${p.role} pid ${p.pid} on ${p.host} runs generation ${p.generation ?? '(still loading)'}, which the store no longer keeps; restart it to let the cache shrink`
    }
  }
  return null
}

/** A temp dir's writer is gone when its pid is neither running here nor a live registered process, or when it is stale anyway. */
function writerGone(path: string, pid: number, livePids: Set<number>, now: number): boolean {
  let age: number
  try {
    age = now - statSync(path).mtimeMs
  } catch {
    return false
  }
  if (age > STALE_TMP_MS) return true
  if (pid === process.pid || livePids.has(pid)) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH' // EPERM: it runs, as another user
  }
}

/**
 * Renames before deleting: materializeBundle takes an existing <sha256>/ as
 * complete, so a deletion cut short (a crash, a full disk) must never leave a
 * partial tree under that name. The renamed dir is a temp leftover of ours.
 */
function remove(path: string, name: string, result: CacheCollection, isBundle: boolean): void {
  const bytes = treeBytes(path)
  let target = path
  try {
    if (isBundle) {
      target = join(path, '..', `.tmp-${name.slice(0, 12)}-${process.pid}-gc-${Math.random().toString(36).slice(2, 8)}`)
      renameSync(path, target)
    }
    rmSync(target, { recursive: true, force: true })
  } catch {
    return // another process removed or is using it; the next collection looks again
  }
  result.removed.push(name)
  result.freedBytes += bytes
}
