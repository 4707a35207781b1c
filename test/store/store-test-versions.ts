// Hand-made plugin versions for in-process store tests: real bundles (hashed as the scheduler hashes them),
// published with the store's own writer.
import { hashBundle, sha256 } from '../../src/bundle/hash-bundle.ts'
import type { NewVersion } from '../../src/store/store-types.ts'

/** A NewVersion holding the given files (path -> content). */
export function newVersion(name: string, version: string, files: Record<string, Buffer | string>): NewVersion {
  const blobs = new Map<string, Buffer>()
  const list = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, content]) => {
      const data = Buffer.from(content)
      const sha = sha256(data)
      blobs.set(sha, data)
      return { path, mode: 0o644, sha256: sha, size: data.length }
    })
  return {
    name,
    version,
    bundle: { sha256: hashBundle(list), files: list },
    blobs,
    manifest: { name, version, apiVersion: 1, modules: ['index.js'] },
    source: 'directory',
    origin: `plugins/${name}`,
    signature: null,
    status: 'ok',
    registered: null,
    warnings: [],
  }
}
