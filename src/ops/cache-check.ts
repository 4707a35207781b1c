import { existsSync, readdirSync } from 'node:fs'
import { freeBytes, formatBytes, treeBytes } from '../fs/disk-full-error.ts'
import { cacheDirOf } from '../loader/materialize-bundle.ts'
import type { DoctorCheck } from './doctor-check.ts'

const BUNDLE_DIR = /^[0-9a-f]{64}$/

/**
 * `app doctor`'s "cache" line: how much data/cache holds and how much the
 * data dir's filesystem has free. With little free space it warns, with the
 * fix that always works: the cache is disposable (DESIGN section 2).
 */
export function cacheCheck(dataDir: string, lowFreeBytes: number): DoctorCheck {
  const dir = cacheDirOf(dataDir)
  const bytes = treeBytes(dir)
  const bundles = existsSync(dir) ? readdirSync(dir).filter((n) => BUNDLE_DIR.test(n)).length : 0
  const free = freeBytes(dataDir)
  const message = `${formatBytes(bytes)} in ${bundles} plugin bundle(s) at ${dir}; ${formatBytes(free)} free on the data directory's filesystem`
  if (free >= lowFreeBytes) return { name: 'cache', status: 'ok', message }
  return {
    name: 'cache',
    status: 'warn',
    message: `${message}, below ${formatBytes(lowFreeBytes)}.`,
    fix: `Delete ${dir} (rm -rf ${dir}) to free ${formatBytes(bytes)}: it is always safe, plugin files are written again from plugins.db when a role needs them (the scheduler also removes bundles no kept generation needs after each publish).`,
  }
}
