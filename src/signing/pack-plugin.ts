import { createHash, sign, type KeyObject } from 'node:crypto'
import { basename, resolve } from 'node:path'
import { readBundle, type BundleLimits } from '../bundle/read-bundle.ts'
import { writeTgz } from '../archive/write-tgz.ts'
import { readPluginManifest } from '../manifest/read-plugin-manifest.ts'
import { createSignatureManifest, SIGNATURE_FILE } from './signature-manifest.ts'
import { keyIdOf } from './signing-keys.ts'
import { createPublicKey } from 'node:crypto'

export interface PackedPlugin {
  name: string
  version: string
  /** The .tgz bytes: package/<files>, sorted, fixed mtime and owner. */
  archive: Buffer
  sha256: string
  files: number
  keyId: string | null
  /** "<keyId>:<base64 signature of the archive's sha256 hex>" for an index's "signature" field. */
  detachedSignature: string | null
}

/** Thrown when the folder is not a plugin that could load: the problems, one per line. */
export class PackError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(problems.join('\n'))
    this.name = 'PackError'
    this.problems = problems
  }
}

/**
 * Packs a plugin folder into a reproducible .tgz: the files under package/
 * in path order with mode 0644/0755, a fixed mtime and owner 0, plus a
 * SIGNATURE.json listing every file's sha256, signed when a key is given.
 * The same folder and key give the same bytes. The folder is not modified.
 */
export async function packPlugin(dir: string, options: { limits: BundleLimits; privateKey?: KeyObject }): Promise<PackedPlugin> {
  const root = resolve(dir)
  const bundle = await readBundle(root, basename(root), options.limits)
  if (bundle.warnings.length) throw new PackError(bundle.warnings.map((w) => `${w.code}: ${w.message}`))
  const files = bundle.files.filter((f) => f.path !== SIGNATURE_FILE)
  const text = (path: string) => {
    const file = files.find((f) => f.path === path)
    return file ? bundle.blobs.get(file.sha256)!.toString('utf8') : null
  }
  // plugin.json, or a package.json with "appPlugin".
  const check = readPluginManifest({ folder: basename(root), text, paths: new Set(files.map((f) => f.path)) })
  const errors = check.warnings.filter((w) => w.severity === 'error')
  if (errors.length) throw new PackError(errors.map((w) => `${w.code}: ${w.message}`))
  const signature = createSignatureManifest({ name: check.name, version: check.version }, files, options.privateKey)
  const entries = files.map((f) => ({ path: `package/${f.path}`, mode: f.mode, data: bundle.blobs.get(f.sha256)! }))
  entries.push({ path: `package/${SIGNATURE_FILE}`, mode: 0o644, data: Buffer.from(`${JSON.stringify(signature, null, 2)}\n`) })
  entries.sort((a, b) => (a.path < b.path ? -1 : 1))
  const archive = writeTgz(entries)
  const sha256 = createHash('sha256').update(archive).digest('hex')
  const keyId = options.privateKey ? keyIdOf(createPublicKey(options.privateKey)) : null
  const detachedSignature = options.privateKey ? `${keyId}:${sign(null, Buffer.from(sha256), options.privateKey).toString('base64')}` : null
  return { name: check.name, version: check.version, archive, sha256, files: entries.length, keyId, detachedSignature }
}
