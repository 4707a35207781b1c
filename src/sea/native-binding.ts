import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { extractAsset } from './extract-asset.ts'
import { isNoexec, nativeDir, suggestNativeDir } from './native-dir.ts'
import { ADDON_ASSET, embeddedAddonSha256, runtimeMode } from './runtime-mode.ts'

const ADDON_FILE = 'better_sqlite3.node'

let loaded: object | undefined

/**
 * The better-sqlite3 addon to pass as `new Database(file, { nativeBinding })`.
 * From source it is undefined: the package finds its own prebuild. Bundled, it
 * is loaded once per thread: next to dist/app.cjs, or, in the single
 * executable, from the embedded copy written once to <native dir>/<sha256>/.
 * Typed as the string form because @types/better-sqlite3 omits the object form
 * that better-sqlite3 itself accepts.
 */
export function nativeBinding(dataDir: string): Database.Options['nativeBinding'] {
  const mode = runtimeMode()
  if (mode === 'source') return undefined
  loaded ??= mode === 'sea' ? loadFromSea(dataDir) : loadBesideBundle()
  return loaded as unknown as string
}

function loadBesideBundle(): object {
  const file = join(__dirname, ADDON_FILE)
  try {
    return dlopen(file)
  } catch (cause) {
    throw new AppError(
      'NATIVE_ADDON_MISSING',
      `cannot load the SQLite addon ${file} that the bundle expects beside it: ${(cause as Error).message}. \`npm run build\` writes both dist/app.cjs and dist/better_sqlite3.node; copy them together (or use the single executable dist/app).`,
      { exitCode: ExitCode.runtime, cause },
    )
  }
}

function loadFromSea(dataDir: string): object {
  const dir = nativeDir(dataDir)
  const file = join(dir, embeddedAddonSha256(), ADDON_FILE)
  try {
    extractAsset(file, ADDON_ASSET, 0o555)
  } catch (cause) {
    throw nativeDirError(
      dir,
      `cannot write the SQLite addon there (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
      cause,
    )
  }
  try {
    return dlopen(file)
  } catch (cause) {
    const reason = isNoexec(dir)
      ? 'it is on a filesystem mounted noexec, so the SQLite addon there cannot be loaded'
      : `loading the SQLite addon ${file} failed: ${(cause as Error).message}`
    throw nativeDirError(dir, reason, cause)
  }
}

function dlopen(file: string): object {
  const module = { exports: {} }
  process.dlopen(module, file)
  return module.exports
}

export function nativeDirError(dir: string, reason: string, cause: unknown): AppError {
  const suggestion = suggestNativeDir()
  const instead = suggestion
    ? `APP_NATIVE_DIR=${suggestion}`
    : 'APP_NATIVE_DIR=<a directory this user can write, on a filesystem mounted without noexec>'
  return new AppError(
    'NATIVE_DIR_UNUSABLE',
    `native addon directory ${dir}: ${reason}. The single executable writes its SQLite addon and its TypeScript compiler there once and runs them from there. Set ${instead} (or make ${dir} writable and executable), then start again.`,
    { exitCode: ExitCode.runtime, cause },
  )
}
