import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { makePrivateDir } from '../fs/private-files.ts'
import type { Queryable } from '../postgres/open-postgres.ts'
import type { Bundle, BundleFile } from './store-types.ts'

/** The loader's materializeBundle (src/loader/materialize-bundle.ts): passed in, since the loader imports the store. */
export type WriteBundle = (cacheDir: string, bundle: Bundle, blob: (sha256: string) => Promise<Buffer | null>) => Promise<string>

export interface BundleCache {
  /** `<cacheDir>/<sha256>/`: as it is when there, else fetched from PostgreSQL and written (once per host). */
  dir(sha256: string): Promise<string>
  /** How many bundles this cache fetched from the database (not those it found on disk). */
  readonly fetched: number
}

/** Rows of one query: a bundle's files come in a few queries, never all of a large bundle in memory at once. */
const CHUNK_BYTES = 16 * 1024 * 1024
/** A fetch lock older than this was left by a process that died while fetching. */
const STALE_LOCK_MS = 10 * 60_000
const WAIT_MS = 50

/**
 * Bundles from the database into the host's cache, in the layout materializeBundle gives data/cache today
 * (`<sha256>/`, content-addressed, so a directory that exists is complete). Several processes on one data dir
 * fetch a bundle once: the first takes `.fetch-<sha256>.lock` in the cache dir, the others wait for the
 * directory it writes. A lock whose process is gone (or older than 10 minutes) is taken over.
 */
export function createPostgresBundleCache(db: Queryable, cacheDir: string, write: WriteBundle): BundleCache {
  const inFlight = new Map<string, Promise<string>>()
  let fetched = 0
  const fetch = async (sha256: string): Promise<string> => {
    const { rows } = await db.query<{ files: string }>('SELECT files FROM plugins.bundles WHERE sha256 = $1', [sha256])
    if (!rows[0]) throw new Error(`bundle ${sha256} is not in the plugin store (plugins.bundles); republish the plugin.`)
    const files = (JSON.parse(rows[0].files) as Array<[string, number, string, number]>).map(
      ([path, mode, sha, size]): BundleFile => ({ path, mode, sha256: sha, size }),
    )
    fetched++
    return write(cacheDir, { sha256, files }, chunkedBlobs(db, files))
  }
  return {
    get fetched() {
      return fetched
    },
    dir(sha256) {
      const dir = join(cacheDir, sha256)
      if (existsSync(dir)) return Promise.resolve(dir)
      let pending = inFlight.get(sha256)
      if (!pending) {
        pending = underLock(cacheDir, sha256, () => fetch(sha256)).finally(() => inFlight.delete(sha256))
        inFlight.set(sha256, pending)
      }
      return pending
    },
  }
}

/** Blob lookups in file order (materializeBundle's order), each miss fetching the next files up to CHUNK_BYTES. */
function chunkedBlobs(db: Queryable, files: BundleFile[]): (sha256: string) => Promise<Buffer | null> {
  let held = new Map<string, Buffer>()
  return async (sha256) => {
    if (!held.has(sha256)) {
      const chunk: string[] = []
      let bytes = 0
      for (const f of files.slice(
        Math.max(
          0,
          files.findIndex((f) => f.sha256 === sha256),
        ),
      )) {
        if (chunk.length && bytes + f.size > CHUNK_BYTES) break
        chunk.push(f.sha256)
        bytes += f.size
      }
      const { rows } = await db.query<{ sha256: string; data: Buffer }>(
        'SELECT sha256, data FROM plugins.blobs WHERE sha256 = ANY($1::text[])',
        [chunk],
      )
      held = new Map(rows.map((r) => [r.sha256, r.data]))
    }
    return held.get(sha256) ?? null
  }
}

/** Runs `fetch` holding the bundle's fetch lock, unless another process wrote the directory meanwhile. */
async function underLock(cacheDir: string, sha256: string, fetch: () => Promise<string>): Promise<string> {
  makePrivateDir(cacheDir)
  const dir = join(cacheDir, sha256)
  const lock = join(cacheDir, `.fetch-${sha256}.lock`)
  for (;;) {
    if (existsSync(dir)) return dir
    try {
      const fd = openSync(lock, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    // Two waiters may both take over an abandoned lock and both fetch: rare (after a crash), and harmless,
    // as materializeBundle's rename lets one win.
    if (abandoned(lock)) rmSync(lock, { force: true })
    else await sleep(WAIT_MS)
  }
  try {
    return existsSync(dir) ? dir : await fetch()
  } finally {
    rmSync(lock, { force: true })
  }
}

function abandoned(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) return true
    const pid = Number(readFileSync(lock, 'utf8'))
    if (!Number.isSafeInteger(pid) || pid <= 0) return false // just created, its pid not written yet
    process.kill(pid, 0)
    return false
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ESRCH' || code === 'ENOENT' // the holder is gone, or released it meanwhile
  }
}
