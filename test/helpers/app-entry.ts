import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestMtime(dir: string): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return t
}

/** Whether `file` (dist/app, dist/app.cjs) exists and is newer than every source it is built from. */
export function builtFromCurrentSources(root: string, file: string): boolean {
  if (!existsSync(file)) return false
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'types')),
    statSync(join(root, 'package-lock.json')).mtimeMs,
  )
  return sources <= statSync(file).mtimeMs
}

/**
 * What the end-to-end tier starts as `app`: dist/app.cjs (the bundle inside dist/app, on plain node) when
 * `npm run build` made it from the current sources, as npm test's pretest does; otherwise bin/app.js, from
 * source. A start of the bundle takes half the CPU of a start from source (about 400 modules to read and
 * strip of their types), and the tier starts `app` about 640 times on two cores. APP_TEST_ENTRY=source
 * (or bundle) forces one; test/build/binary.test.ts runs bin/app.js, the bundle and dist/app whichever is chosen.
 */
export function appEntry(root: string): string {
  const source = join(root, 'bin/app.js')
  const bundle = join(root, 'dist/app.cjs')
  const forced = process.env.APP_TEST_ENTRY
  if (forced === 'source' || forced === 'bundle') return forced === 'source' ? source : bundle
  if (forced) throw new Error(`APP_TEST_ENTRY is "${forced}": expected "source" (bin/app.js) or "bundle" (dist/app.cjs), or unset`)
  return builtFromCurrentSources(root, bundle) ? bundle : source
}
