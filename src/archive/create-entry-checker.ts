import type { ArchiveLimits } from './archive-limits.ts'
import { ArchiveRefusal } from './archive-refusal.ts'

export type EntryKind = 'file' | 'dir'

// C0 and C1 control characters and DEL: they hide names in terminals and logs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

export interface EntryChecker {
  /**
   * Checks one entry before anything is written and returns its relative
   * path ('' for the archive root itself). Throws ArchiveRefusal naming the
   * entry: `..`, absolute paths, control characters, duplicates, names that
   * collide by case or Unicode normalization, and the file/byte/depth limits.
   */
  check(name: string, kind: EntryKind, size: number): string
  /** Counts bytes actually written (a stream may hold more than its header said). */
  addBytes(entry: string, n: number): void
  readonly bytes: number
}

/** One checker per archive: it remembers every name seen so far. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one checker keeps the counters and names every rule checks; each rule is a few lines
export function createEntryChecker(archive: string, limits: ArchiveLimits): EntryChecker {
  // exact path -> kind and whether an entry named it (vs. implied by a file below it)
  const paths = new Map<string, { kind: EntryKind; explicit: boolean }>()
  // folded path (NFC, lower case) -> the exact path that claimed it
  const folded = new Map<string, string>()
  let files = 0
  let bytes = 0
  const quote = (s: string) => JSON.stringify(s)
  const unsafe = (entry: string, why: string, fix: string) =>
    new ArchiveRefusal(
      'BUNDLE_UNSAFE',
      `archive ${archive}: entry ${quote(entry)} ${why}; nothing from this archive was published. ${fix}`,
      entry,
    )
  const tooLarge = (entry: string, why: string, fix: string) =>
    new ArchiveRefusal('BUNDLE_TOO_LARGE', `archive ${archive}: ${why} at entry ${quote(entry)}; nothing was published. ${fix}`, entry)

  function claim(entry: string, path: string, kind: EntryKind, explicit: boolean): void {
    const key = path.normalize('NFC').toLowerCase()
    const owner = folded.get(key)
    if (owner !== undefined && owner !== path) {
      throw unsafe(
        entry,
        `collides with ${quote(owner)} (the names differ only by case or Unicode normalization, so they are one file on macOS and Windows)`,
        'Rename one of them.',
      )
    }
    folded.set(key, path)
    const seen = paths.get(path)
    if (!seen) return void paths.set(path, { kind, explicit })
    if (seen.kind !== kind)
      throw unsafe(entry, `is both a file and a directory (${quote(path)})`, 'Rebuild the archive from a plain directory tree.')
    if (kind === 'file' || (explicit && seen.explicit))
      throw unsafe(
        entry,
        'appears twice in the archive (a later copy would silently replace the first)',
        'Rebuild the archive so each path appears once.',
      )
    if (explicit) seen.explicit = true
  }

  return {
    get bytes() {
      return bytes
    },
    check(name, kind, size) {
      if (CONTROL.test(name)) throw unsafe(name, 'contains a control character', 'Rename the file.')
      if (name.includes('\\'))
        throw unsafe(name, 'contains a backslash (a Windows path separator)', 'Build the archive with forward slashes.')
      if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
        throw unsafe(name, 'is an absolute path', 'Build the archive with paths relative to the plugin folder.')
      const segments = name.replace(/^(\.\/)+/, '').split('/')
      if (segments.at(-1) === '' && segments.length > 1) segments.pop() // "dir/"
      if (segments.length === 1 && (segments[0] === '' || segments[0] === '.')) {
        if (kind === 'file') throw unsafe(name, 'is a file without a name', 'Rebuild the archive.')
        return '' // the root itself: "./"
      }
      for (const s of segments) {
        if (s === '..')
          throw unsafe(name, 'contains ".." and would be written outside the plugin', 'Build the archive from inside the plugin folder.')
        if (s === '' || s === '.') throw unsafe(name, 'has an empty or "." path segment', 'Rebuild the archive with normal relative paths.')
      }
      // Two extra levels: an optional top folder (package/) and a folder per plugin.
      if (segments.length > limits.maxDepth + 2)
        throw tooLarge(
          name,
          `nesting deeper than ${limits.maxDepth + 2} levels (limits.maxDepth plus two)`,
          'Flatten the plugin or raise limits.maxDepth.',
        )
      for (let i = 1; i < segments.length; i++) claim(name, segments.slice(0, i).join('/'), 'dir', false)
      const path = segments.join('/')
      claim(name, path, kind, true)
      if (kind === 'file') {
        if (++files > limits.archiveMaxFiles)
          throw tooLarge(
            name,
            `more than ${limits.archiveMaxFiles} files (limits.archiveMaxFiles)`,
            'Split the archive or raise the limit.',
          )
        if (size > limits.maxBytes)
          throw tooLarge(
            name,
            `a file of ${size} bytes, over the plugin limit of ${limits.maxBytes} (limits.maxBytes)`,
            'Remove the large file or raise the limit.',
          )
      }
      return path
    },
    addBytes(entry, n) {
      bytes += n
      if (bytes > limits.archiveMaxBytes)
        throw tooLarge(
          entry,
          `more than ${limits.archiveMaxBytes} bytes unpacked (limits.archiveMaxBytes)`,
          'Split the archive or raise the limit.',
        )
    },
  }
}
