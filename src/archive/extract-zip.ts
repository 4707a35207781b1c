import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { RATIO_FLOOR_BYTES, type ArchiveLimits } from './archive-limits.ts'
import { ArchiveRefusal } from './archive-refusal.ts'
import { createEntryChecker, type EntryKind } from './create-entry-checker.ts'
import { emptyTree, type ArchiveInput, type ArchiveTree } from './archive-tree.ts'

const S_IFMT = 0o170000
const TYPES: Record<number, string> = {
  0o120000: 'a symbolic link',
  0o020000: 'a character device',
  0o060000: 'a block device',
  0o010000: 'a FIFO',
  0o140000: 'a socket',
}

interface Planned {
  entry: Entry
  name: string
  path: string
  kind: EntryKind
  mode: number
}

/**
 * Reads a .zip into memory. Every entry of the central directory is checked
 * before the first byte is inflated; yauzl checks that each entry's data
 * matches its declared size while we read, and we count every byte.
 */
export async function extractZip(input: ArchiveInput, archive: string, limits: ArchiveLimits): Promise<ArchiveTree> {
  const checker = createEntryChecker(archive, limits)
  // decodeStrings off: yauzl would reject a bad name for the whole file; we decode and name the entry ourselves.
  const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false, strictFileNames: true }
  let zip: ZipFile
  try {
    zip = await open(input, options)
  } catch (error) {
    throw unreadable(archive, error)
  }
  try {
    const planned: Planned[] = []
    let declared = 0
    await eachEntry(zip, (entry) => {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true)
      const unixMode = entry.versionMadeBy >> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0
      const type = TYPES[unixMode & S_IFMT]
      if (type)
        throw new ArchiveRefusal(
          'BUNDLE_UNSAFE',
          `archive ${archive}: entry ${JSON.stringify(name)} is ${type}; plugins may hold only regular files and folders, nothing was published. Replace it with a copy of the file.`,
          name,
        )
      if (entry.isEncrypted())
        throw new ArchiveRefusal(
          'BUNDLE_UNSAFE',
          `archive ${archive}: entry ${JSON.stringify(name)} is encrypted; nothing was published. Build the archive without a password.`,
          name,
        )
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
        throw new ArchiveRefusal(
          'BUNDLE_UNSAFE',
          `archive ${archive}: entry ${JSON.stringify(name)} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are read. Rebuild the archive with deflate.`,
          name,
        )
      const kind: EntryKind = name.endsWith('/') || (unixMode & S_IFMT) === 0o040000 ? 'dir' : 'file'
      const path = checker.check(name, kind, entry.uncompressedSize)
      if (kind === 'file') {
        declared += entry.uncompressedSize
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize)
        if (entry.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxCompressionRatio) throw bomb(archive, name, ratio, limits)
      }
      planned.push({ entry, name, path, kind, mode: unixMode })
    })
    const packed = 'data' in input ? input.data.length : (await stat(input.file)).size
    if (declared > RATIO_FLOOR_BYTES && declared / packed > limits.maxCompressionRatio)
      throw bomb(archive, planned.at(-1)?.name ?? '', declared / packed, limits)
    const tree = emptyTree()
    for (const p of planned) {
      if (p.kind === 'dir') {
        if (p.path) tree.dirs.add(p.path)
        continue
      }
      const chunks: Buffer[] = []
      for await (const chunk of await openStream(zip, p.entry)) {
        checker.addBytes(p.name, chunk.length)
        chunks.push(chunk as Buffer)
      }
      tree.files.set(p.path, { mode: p.mode, data: Buffer.concat(chunks) })
    }
    return tree
  } catch (error) {
    if (error instanceof ArchiveRefusal) throw error
    throw unreadable(archive, error)
  } finally {
    zip.close()
  }
}

function bomb(archive: string, name: string, ratio: number, limits: ArchiveLimits): ArchiveRefusal {
  return new ArchiveRefusal(
    'BUNDLE_TOO_LARGE',
    `archive ${archive}: entry ${JSON.stringify(name)} unpacks to ${Math.round(ratio)} times its packed size, over limits.maxCompressionRatio (${limits.maxCompressionRatio}): a zip bomb; nothing was published. Raise the limit only if the archive is yours.`,
    name,
  )
}

const unreadable = (archive: string, error: unknown) =>
  new ArchiveRefusal(
    'BUNDLE_UNSAFE',
    `archive ${archive} is not a readable zip file: ${(error as Error).message}. Rebuild it (app plugins pack writes a .tgz).`,
    null,
    { cause: error },
  )

function open(input: ArchiveInput, options: yauzl.Options): Promise<ZipFile> {
  return new Promise((res, rej) => {
    const done = (err: Error | null, zip: ZipFile) => (err ? rej(err) : res(zip))
    if ('data' in input) yauzl.fromBuffer(input.data, options, done)
    else yauzl.open(input.file, options, done)
  })
}

/** Walks the central directory one entry at a time, so a refusal stops before the rest is read. */
function eachEntry(zip: ZipFile, onEntry: (entry: Entry) => void): Promise<void> {
  return new Promise((res, rej) => {
    zip.on('entry', (e: Entry) => {
      try {
        onEntry(e)
      } catch (error) {
        return rej(error)
      }
      zip.readEntry()
    })
    zip.once('end', () => res())
    zip.once('error', rej)
    zip.readEntry()
  })
}

function openStream(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((res, rej) => zip.openReadStream(entry, (err, stream) => (err ? rej(err) : res(stream))))
}
