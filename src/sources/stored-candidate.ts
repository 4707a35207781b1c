import { validateManifest } from '../manifest/validate-manifest.ts'
import { checkSignature } from '../signing/check-signature.ts'
import type { Trust } from '../signing/create-trust.ts'
import { SIGNATURE_FILE } from '../signing/signature-manifest.ts'
import type { StoreReader } from '../store/store-reader.ts'
import { blockUntrusted } from './block-untrusted.ts'
import type { Candidate } from './source-types.ts'

/** One plugin a remote source published before: enough to rebuild its Candidate from the store. */
export interface StoredPlugin {
  name: string
  folder: string
  origin: string
  bundleSha256: string
}

/**
 * Rebuilds the Candidate of an unchanged remote plugin from the store, so an
 * archive whose ETag or pinned sha256 did not change is not downloaded again
 * (also after a restart). The manifest and signature are checked again, so
 * a changed trust config applies. Null when the store no longer holds that
 * version (then the caller downloads it again, and the dry run gets its files).
 */
export async function storedCandidate(store: StoreReader, plugin: StoredPlugin, options: { source: string; trust: Trust }): Promise<Candidate | null> {
  const bundle = await store.bundle(plugin.bundleSha256)
  if (!bundle || !bundle.files.length) return null
  const text = async (path: string) => {
    const file = bundle.files.find((f) => f.path === path)
    if (!file) return null
    return (await store.blob(file.sha256))?.toString('utf8') ?? null
  }
  const check = validateManifest({ folder: plugin.folder, manifestText: await text('plugin.json'), paths: new Set(bundle.files.map((f) => f.path)) })
  if (!(await store.findVersion({ name: check.name, bundleSha256: bundle.sha256, source: options.source, origin: plugin.origin }))) return null
  const signed = checkSignature({ plugin: check.name, version: check.manifest ? check.version : null, files: bundle.files, manifestText: await text(SIGNATURE_FILE), trust: options.trust })
  return blockUntrusted({
    folder: plugin.folder, source: options.source, origin: plugin.origin,
    bundle: { files: bundle.files, sha256: bundle.sha256, blobs: new Map(), paths: new Map(), warnings: [], newestMtimeMs: 0 },
    check, signature: signed.signature, warnings: signed.warnings,
  })
}
