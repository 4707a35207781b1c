import { isSea } from 'node:sea'

/** Set by scripts/build.ts (esbuild `define`); absent when running from source. */
declare const __APP_BUNDLE__: { nativeSha256: string; esbuildSha256: string } | undefined

export type RuntimeMode = 'source' | 'bundle' | 'sea'

/**
 * How this process was started: `source` (bin/app.js, type stripping),
 * `bundle` (node dist/app.cjs) or `sea` (the single executable dist/app).
 */
export function runtimeMode(): RuntimeMode {
  if (typeof __APP_BUNDLE__ === 'undefined') return 'source'
  return isSea() ? 'sea' : 'bundle'
}

/** sha256 of the better-sqlite3 addon embedded in the bundle (names its extracted copy). */
export function embeddedAddonSha256(): string {
  if (typeof __APP_BUNDLE__ === 'undefined') throw new Error('embeddedAddonSha256() is only defined in the bundle')
  return __APP_BUNDLE__.nativeSha256
}

/** sha256 of the esbuild executable embedded in the bundle (names its extracted copy). */
export function embeddedEsbuildSha256(): string {
  if (typeof __APP_BUNDLE__ === 'undefined') throw new Error('embeddedEsbuildSha256() is only defined in the bundle')
  return __APP_BUNDLE__.esbuildSha256
}

/** SEA asset keys, shared with scripts/build.ts. */
export const ADDON_ASSET = 'better_sqlite3.node'
export const BUNDLE_ASSET = 'app.cjs'
export const ESBUILD_ASSET = 'esbuild'
