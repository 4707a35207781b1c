import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { readBundle, type BundleLimits, type FileCache } from '../bundle/read-bundle.ts'
import { validateManifest } from '../manifest/validate-manifest.ts'
import type { Candidate } from './source-types.ts'

/**
 * Reads one plugin directory into a Candidate: walk and hash the tree under
 * the limits, then check plugin.json against the files. Shared by the
 * directory source and by every archive source once extracted.
 */
export async function inspectPluginDir(dir: string, options: { source: string; origin: string; folder?: string; limits: BundleLimits; cache?: FileCache; trustAfterMs?: number }): Promise<Candidate> {
  const folder = options.folder ?? basename(dir)
  const bundle = await readBundle(dir, folder, options.limits, options.cache, { trustAfterMs: options.trustAfterMs })
  const manifestFile = bundle.files.find((f) => f.path === 'plugin.json')
  const manifestText = manifestFile ? (bundle.blobs.get(manifestFile.sha256) ?? readFileSync(bundle.paths.get(manifestFile.sha256)!)).toString('utf8') : null
  const check = bundle.warnings.length
    ? { manifest: null, name: folder, version: '0.0.0', warnings: [] }
    : validateManifest({ folder, manifestText, paths: new Set(bundle.files.map((f) => f.path)) })
  for (const w of bundle.warnings) w.plugin = check.name
  return { folder, source: options.source, origin: options.origin, bundle, check, signature: null, warnings: [] }
}
