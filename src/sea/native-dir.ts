import { accessSync, constants } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { mountFor, realExisting } from '../fs/mount-info.ts'

/** Where the single executable writes its native addon: APP_NATIVE_DIR, else <data dir>/native. */
export function nativeDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.APP_NATIVE_DIR || join(dataDir, 'native')
}

/** True when `dir` (or its nearest existing parent) sits on a mount with `noexec`. */
export function isNoexec(dir: string): boolean {
  return mountFor(dir)?.options.includes('noexec') ?? false
}

/**
 * A directory this user could use as APP_NATIVE_DIR: writable (or creatable)
 * and on a mount that allows executables. Null when none of the usual places fits.
 */
export function suggestNativeDir(): string | null {
  const candidates = ['/var/cache/app', safeHome('.cache/app'), '/var/tmp/app-native', '/opt/app/native']
  for (const dir of candidates) {
    if (!dir) continue
    const existing = realExisting(dir)
    try {
      accessSync(existing, constants.W_OK | constants.X_OK)
    } catch {
      continue
    }
    if (!isNoexec(existing)) return dir
  }
  return null
}

function safeHome(rel: string): string | null {
  try {
    const home = homedir()
    return home ? join(home, rel) : null
  } catch {
    return null
  }
}
