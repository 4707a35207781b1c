import { getAsset } from 'node:sea'
import { BUNDLE_ASSET, runtimeMode } from './runtime-mode.ts'

let bundleCode: string | undefined

/**
 * The code a worker thread runs when bundled: the bundle itself, which
 * dispatches to thread-main when started as a thread (see src/main/bundle-main.ts).
 * node dist/app.cjs points at its file; the single executable has no file, so
 * it evaluates the embedded copy. Undefined from source.
 */
export function bundledThreadScript(): { script: string; eval: boolean } | undefined {
  const mode = runtimeMode()
  if (mode === 'source') return undefined
  if (mode === 'bundle') return { script: __filename, eval: false }
  bundleCode ??= getAsset(BUNDLE_ASSET, 'utf8')
  return { script: bundleCode, eval: true }
}
