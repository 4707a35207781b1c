import { hashBundle, normalizeMode, sha256 } from '../bundle/hash-bundle.ts'
import { SAFE_NAME, type BundleLimits, type ReadBundleResult } from '../bundle/read-bundle.ts'
import type { BundleFile } from '../bundle/bundle-types.ts'
import type { Warning } from '../errors/warning.ts'
import type { ArchiveTree } from './archive-tree.ts'

/**
 * The bundle of one plugin held in an archive tree, under the same rules
 * and with the same messages as readBundle on a folder: safe names, file,
 * byte and depth limits. Links and devices never got this far.
 */
export function bundleFromTree(tree: ArchiveTree, prefix: string, plugin: string, limits: BundleLimits, origin: string): ReadBundleResult {
  const paths = [...tree.files.keys()]
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length))
    .sort()
  const files: BundleFile[] = []
  const blobs = new Map<string, Buffer>()
  const warnings: Warning[] = []
  const refuse = (code: 'BUNDLE_UNSAFE' | 'BUNDLE_TOO_LARGE', message: string, path: string) => {
    warnings.push({ code, severity: 'error', plugin, version: null, message, detail: `${origin}: ${prefix}${path}` })
  }
  let total = 0
  for (const relPath of paths) {
    const segments = relPath.split('/')
    const bad = segments.find((s) => !SAFE_NAME.test(s))
    if (bad !== undefined) {
      refuse(
        'BUNDLE_UNSAFE',
        `plugin ${plugin}: file name ${JSON.stringify(relPath)} has characters outside the safe set [A-Za-z0-9@+_.,=-]. Rename it.`,
        relPath,
      )
      break
    }
    if (segments.length - 1 > limits.maxDepth) {
      refuse(
        'BUNDLE_TOO_LARGE',
        `plugin ${plugin}: ${segments.slice(0, limits.maxDepth + 1).join('/')} is nested deeper than the limit of ${limits.maxDepth} directories. Flatten the plugin or raise limits.maxDepth.`,
        relPath,
      )
      break
    }
    const { mode, data } = tree.files.get(prefix + relPath)!
    total += data.length
    if (files.length + 1 > limits.maxFiles) {
      refuse(
        'BUNDLE_TOO_LARGE',
        `plugin ${plugin}: more than ${limits.maxFiles} files (limits.maxFiles). Remove files or raise the limit.`,
        relPath,
      )
      break
    }
    if (total > limits.maxBytes) {
      refuse(
        'BUNDLE_TOO_LARGE',
        `plugin ${plugin}: more than ${limits.maxBytes} bytes unpacked, reached at ${relPath} (limits.maxBytes). Remove large files or raise the limit.`,
        relPath,
      )
      break
    }
    const hash = sha256(data)
    blobs.set(hash, data)
    files.push({ path: relPath, mode: normalizeMode(mode), sha256: hash, size: data.length })
  }
  if (warnings.length)
    return {
      files: [],
      sha256: `refused-${sha256(warnings.map((w) => w.message).join('\n'))}`,
      blobs: new Map(),
      paths: new Map(),
      warnings,
      newestChangeMs: 0,
    }
  return { files, sha256: hashBundle(files), blobs, paths: new Map(), warnings, newestChangeMs: 0 }
}
