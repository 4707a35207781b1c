import type { ArchiveLimits } from './archive-limits.ts'
import type { ArchiveInput, ArchiveTree } from './archive-tree.ts'

export const ARCHIVE_EXTENSIONS = ['.zip', '.tgz', '.tar.gz']

/** 'zip', 'tgz' or null, from the name's extension (case-insensitive). */
export function archiveType(name: string): 'zip' | 'tgz' | null {
  const lower = name.toLowerCase()
  if (lower.endsWith('.zip')) return 'zip'
  if (lower.endsWith('.tgz') || lower.endsWith('.tar.gz')) return 'tgz'
  return null
}

/** The archive's name without its extension: "ops-banner-1.2.0.tgz" -> "ops-banner-1.2.0". */
export const archiveStem = (name: string): string => name.replace(/\.(zip|tgz|tar\.gz)$/i, '')

/**
 * Reads an archive into memory, entry by entry, under the limits. Nothing
 * is written to disk, so no entry can land outside where it belongs; the
 * plugins' files would be read into memory for hashing anyway. Refusals
 * throw ArchiveRefusal naming the entry.
 */
export async function extractArchive(input: ArchiveInput, name: string, limits: ArchiveLimits): Promise<ArchiveTree> {
  const type = archiveType(name)
  if (!type) throw new Error(`${name} is not a .zip, .tgz or .tar.gz archive`)
  // Loaded when an archive is read (tar is a tenth of a scheduler's start-up; most installs hold folders).
  if (type === 'zip') return (await import('./extract-zip.ts')).extractZip(input, name, limits)
  return (await import('./extract-tar.ts')).extractTar(input, name, limits)
}
