import { readFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { readBundle, type BundleLimits, type FileCache, type ReadBundleResult } from '../bundle/read-bundle.ts'
import { readPluginManifest, SINGLE_FILE_PLUGIN } from '../manifest/read-plugin-manifest.ts'
import { checkSignature } from '../signing/check-signature.ts'
import { NO_TRUST, type Trust } from '../signing/create-trust.ts'
import { SIGNATURE_FILE } from '../signing/signature-manifest.ts'
import { blockUntrusted } from './block-untrusted.ts'
import type { Candidate } from './source-types.ts'

/**
 * Reads one plugin directory into a Candidate: walk and hash the tree under
 * the limits, then check its manifest against the files. Shared by the
 * directory source and by every archive source once extracted.
 */
export async function inspectPluginDir(
  dir: string,
  options: {
    source: string
    origin: string
    folder?: string
    limits: BundleLimits
    cache?: FileCache
    trustAfterMs?: number
    trust?: Trust
  },
): Promise<Candidate> {
  const folder = options.folder ?? basename(dir)
  const bundle = await readBundle(dir, folder, options.limits, options.cache, { trustAfterMs: options.trustAfterMs })
  return candidateFromBundle(bundle, { ...options, folder })
}

/** A single module file in plugins/ (`name.ts` exporting `manifest`) as a Candidate: a bundle of that one file. */
export async function inspectPluginFile(
  file: string,
  options: { source: string; origin: string; limits: BundleLimits; cache?: FileCache; trustAfterMs?: number; trust?: Trust },
): Promise<Candidate> {
  const name = basename(file)
  const folder = name.replace(SINGLE_FILE_PLUGIN, '')
  const bundle = await readBundle(dirname(file), folder, options.limits, options.cache, { trustAfterMs: options.trustAfterMs, only: name })
  return candidateFromBundle(bundle, { ...options, folder, singleFile: name })
}

/** A read bundle (from a folder, a file or an archive) -> Candidate: manifest check, signature check, trust gate. */
export function candidateFromBundle(
  bundle: ReadBundleResult,
  options: { source: string; origin: string; folder: string; trust?: Trust; singleFile?: string },
): Candidate {
  const { folder } = options
  const text = (path: string) => {
    const file = bundle.files.find((f) => f.path === path)
    return file ? (bundle.blobs.get(file.sha256) ?? readFileSync(bundle.paths.get(file.sha256)!)).toString('utf8') : null
  }
  if (bundle.warnings.length) {
    for (const w of bundle.warnings) w.plugin = folder
    return {
      folder,
      source: options.source,
      origin: options.origin,
      bundle,
      check: { manifest: null, name: folder, version: '0.0.0', warnings: [] },
      signature: null,
      warnings: [],
    }
  }
  const check = readPluginManifest({ folder, text, paths: new Set(bundle.files.map((f) => f.path)), singleFile: options.singleFile })
  const signed = checkSignature({
    plugin: check.name,
    version: check.manifest ? check.version : null,
    files: bundle.files,
    manifestText: text(SIGNATURE_FILE),
    trust: options.trust ?? NO_TRUST,
  })
  return blockUntrusted({
    folder,
    source: options.source,
    origin: options.origin,
    bundle,
    check,
    signature: signed.signature,
    warnings: signed.warnings,
  })
}
