import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { threadId } from 'node:worker_threads'
import { hashBundle, sha256 } from '../bundle/hash-bundle.ts'
import type { Bundle } from '../store/store-types.ts'

/**
 * Written once at the cache root: plugin .js files without a package.json of
 * their own are not decided by whatever package.json lies above the data dir
 * (the host's says "module"); the loader's hooks set each file's format.
 */
const CACHE_PACKAGE_JSON = '{ "type": "commonjs", "private": true }\n'

/**
 * Writes a bundle to <cacheDir>/<sha256>/ (temp dir, every file checked
 * against its hash, then one rename) unless it is there already; returns the
 * directory. Content-addressed, so a directory that exists is complete.
 */
export async function materializeBundle(
  cacheDir: string,
  bundle: Bundle,
  blob: (sha256: string) => Buffer | null | Promise<Buffer | null>,
): Promise<string> {
  const dir = join(cacheDir, bundle.sha256)
  if (existsSync(dir)) return dir
  prepareCacheDir(cacheDir)
  if (!/^[0-9a-f]{64}$/.test(bundle.sha256) || hashBundle(bundle.files) !== bundle.sha256) {
    throw new Error(
      `bundle ${bundle.sha256} does not hash to its name; the plugin store is damaged. Restore it from a backup or republish the plugin.`,
    )
  }
  const tmp = join(cacheDir, `.tmp-${bundle.sha256.slice(0, 12)}-${process.pid}-${threadId}-${Math.random().toString(36).slice(2, 8)}`)
  try {
    mkdirSync(tmp)
    for (const f of bundle.files) {
      const target = resolve(tmp, f.path)
      if (!target.startsWith(`${tmp}/`))
        throw new Error(
          `bundle ${bundle.sha256}: file path ${JSON.stringify(f.path)} leaves the plugin directory; the plugin store is damaged.`,
        )
      const data = await blob(f.sha256)
      if (!data)
        throw new Error(
          `bundle ${bundle.sha256}: the content of ${f.path} (${f.sha256}) is missing from the plugin store. Republish the plugin.`,
        )
      if (data.length !== f.size || sha256(data) !== f.sha256)
        throw new Error(
          `bundle ${bundle.sha256}: the content of ${f.path} does not match its hash ${f.sha256}; the plugin store is damaged.`,
        )
      mkdirSync(dirname(target), { recursive: true })
      // Read-only: the cache is shared by every process and must stay what was verified.
      writeFileSync(target, data, { mode: f.mode & 0o111 ? 0o555 : 0o444 })
    }
    try {
      renameSync(tmp, dir)
    } catch (error) {
      if (!existsSync(dir)) throw error // not "another process was faster"
      rmSync(tmp, { recursive: true, force: true })
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true })
    throw error
  }
  return dir
}

/** A temp dir older than this was left by a process that died while writing it. */
const STALE_TMP_MS = 10 * 60_000
const prepared = new Set<string>()

export function prepareCacheDir(cacheDir: string): void {
  if (prepared.has(cacheDir)) return
  prepared.add(cacheDir)
  if (existsSync(cacheDir)) {
    for (const name of readdirSync(cacheDir)) {
      if (!name.startsWith('.tmp-')) continue
      try {
        if (Date.now() - statSync(join(cacheDir, name)).mtimeMs > STALE_TMP_MS)
          rmSync(join(cacheDir, name), { recursive: true, force: true })
      } catch {
        /* another process is cleaning up too */
      }
    }
  }
  const marker = join(cacheDir, 'package.json')
  if (existsSync(marker)) return
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 }) // owner-only, like the rest of the data dir (src/store/private-files.ts)
  const tmp = `${marker}.${process.pid}-${threadId}.tmp`
  writeFileSync(tmp, CACHE_PACKAGE_JSON)
  renameSync(tmp, marker)
}

export const cacheDirOf = (dataDir: string) => resolve(dataDir, 'cache')
