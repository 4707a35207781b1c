import type { BundleLimits } from '../bundle/read-bundle.ts'

/** Per-plugin limits plus the whole-archive ones (an archive may hold several plugins). */
export interface ArchiveLimits extends BundleLimits {
  archiveMaxBytes: number
  archiveMaxFiles: number
  maxCompressionRatio: number
}

/** Below this many unpacked bytes the compression ratio is not judged: small files of zeros are no bomb. */
export const RATIO_FLOOR_BYTES = 1024 * 1024

/** Fills the archive limits a caller did not set from the per-plugin ones. */
export function archiveLimits(limits: BundleLimits & Partial<ArchiveLimits>): ArchiveLimits {
  return {
    maxBytes: limits.maxBytes,
    maxFiles: limits.maxFiles,
    maxDepth: limits.maxDepth,
    archiveMaxBytes: limits.archiveMaxBytes ?? limits.maxBytes * 10,
    archiveMaxFiles: limits.archiveMaxFiles ?? limits.maxFiles * 10,
    maxCompressionRatio: limits.maxCompressionRatio ?? 100,
  }
}
