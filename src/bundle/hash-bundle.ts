import { createHash } from 'node:crypto'
import type { BundleFile } from './bundle-types.ts'

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

/** The canonical form of a bundle's file list: sorted by path, [path, mode, sha256, size]. */
export function bundleFilesJson(files: BundleFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return JSON.stringify(sorted.map((f) => [f.path, f.mode, f.sha256, f.size]))
}

/** A bundle's identity: two identical trees are one bundle, wherever they came from. */
export function hashBundle(files: BundleFile[]): string {
  return sha256(bundleFilesJson(files))
}

/** Only the executable bit is kept, so umask and copy tools do not change a bundle's hash. */
export const normalizeMode = (mode: number): number => (mode & 0o111 ? 0o755 : 0o644)
