import { hashBundle } from '../bundle/hash-bundle.ts'
import { isBuildOutput } from '../compile/build-paths.ts'
import { readPluginManifest } from '../manifest/read-plugin-manifest.ts'
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
export async function storedCandidate(
  store: StoreReader,
  plugin: StoredPlugin,
  options: { source: string; trust: Trust },
): Promise<Candidate | null> {
  // Recorded by the tree the source offered; the stored bundle may also hold compiled TypeScript.
  const version = await store.findVersion({
    name: plugin.name,
    bundleSha256: plugin.bundleSha256,
    source: options.source,
    origin: plugin.origin,
  })
  const bundle = version && (await store.bundle(version.bundleSha256))
  if (!bundle?.files.length) return null
  const files = bundle.files.filter((f) => !isBuildOutput(f.path))
  const sha = files.length === bundle.files.length ? bundle.sha256 : hashBundle(files)
  const contents = new Map<string, string | null>()
  for (const path of ['plugin.json', 'package.json', SIGNATURE_FILE]) {
    const file = files.find((f) => f.path === path)
    contents.set(path, file ? ((await store.blob(file.sha256))?.toString('utf8') ?? null) : null)
  }
  const check = readPluginManifest({
    folder: plugin.folder,
    text: (path) => contents.get(path) ?? null,
    paths: new Set(files.map((f) => f.path)),
  })
  if (check.name !== plugin.name) return null
  const signed = checkSignature({
    plugin: check.name,
    version: check.manifest ? check.version : null,
    files,
    manifestText: contents.get(SIGNATURE_FILE) ?? null,
    trust: options.trust,
  })
  return blockUntrusted({
    folder: plugin.folder,
    source: options.source,
    origin: plugin.origin,
    bundle: { files, sha256: sha, blobs: new Map(), paths: new Map(), warnings: [], newestChangeMs: 0 },
    check,
    signature: signed.signature,
    warnings: signed.warnings,
  })
}
