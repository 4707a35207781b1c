import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { createGunzip, gunzipSync } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { RATIO_FLOOR_BYTES, type ArchiveLimits } from './archive-limits.ts'
import { ArchiveRefusal } from './archive-refusal.ts'
import { createEntryChecker, type EntryKind } from './create-entry-checker.ts'
import { emptyTree, type ArchiveInput, type ArchiveTree } from './archive-tree.ts'

const REFUSED: Record<string, string> = {
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
}
// node-tar's own guard on the whole decompressed stream (headers and padding included).
const STREAM_RATIO = 1000
/** In-memory archives up to this size are inflated in one call. */
const SMALL_BYTES = 64 * 1024

/**
 * Reads a .tgz into memory with node-tar's streaming Parser in strict mode.
 * We gunzip ourselves to count bytes, and keep only regular files and
 * folders: links and devices are refused.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one streaming pass over the archive: every refusal sees the same entry and counters
export async function extractTar(input: ArchiveInput, archive: string, limits: ArchiveLimits): Promise<ArchiveTree> {
  const checker = createEntryChecker(archive, limits)
  const streamCap = limits.archiveMaxBytes + 1024 * limits.archiveMaxFiles + RATIO_FLOOR_BYTES
  let failure: unknown = null
  const wakers: Array<() => void> = []
  const fail = (error: unknown) => {
    failure ??= error
    for (const wake of wakers.splice(0)) wake()
  }
  const tree = emptyTree()
  let current: string | null = null
  const parser = new Parser({ strict: true, maxMetaEntrySize: 64 * 1024 })
  parser.on('entry', (entry: ReadEntry) => {
    if (failure) return void entry.resume()
    current = entry.path
    try {
      const kind = kindOf(archive, entry)
      const path = checker.check(entry.path, kind, entry.size)
      if (kind === 'dir' || !path) {
        if (path) tree.dirs.add(path)
        return void entry.resume()
      }
      const chunks: Buffer[] = []
      entry.on('data', (chunk: Buffer) => {
        if (failure) return
        try {
          checker.addBytes(entry.path, chunk.length)
          chunks.push(chunk)
        } catch (error) {
          fail(error)
        }
      })
      entry.on('end', () => {
        if (!failure) tree.files.set(path, { mode: entry.mode ?? 0o644, data: Buffer.concat(chunks) })
      })
    } catch (error) {
      fail(error)
      entry.resume()
    }
  })
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    fail(
      new ArchiveRefusal(
        'BUNDLE_UNSAFE',
        `archive ${archive}: entry ${JSON.stringify(entry.path)} has an unsupported type (${entry.type}) or an oversized header; nothing was published. Rebuild the archive with regular files and folders only.`,
        entry.path,
      ),
    ),
  )
  parser.on('error', (error: Error) => fail(error))
  const ended = new Promise<void>((res) => {
    parser.on('end', res)
    wakers.push(res)
  })

  let unpacked = 0
  /** Every chunk of tar data goes through here: size cap, bomb checks, then the parser. */
  const feed = async (chunk: Buffer, packed: number) => {
    unpacked += chunk.length
    if (unpacked > streamCap)
      throw new ArchiveRefusal(
        'BUNDLE_TOO_LARGE',
        `archive ${archive}: more than ${streamCap} bytes of tar data (limits.archiveMaxBytes); nothing was published. Split the archive or raise the limit.`,
        null,
      )
    // File contents against the ratio limit; the raw tar stream (mostly padding for tiny files) against a looser one.
    const bomb =
      checker.bytes / packed > limits.maxCompressionRatio || unpacked / packed > Math.max(STREAM_RATIO, limits.maxCompressionRatio)
    if (unpacked > RATIO_FLOOR_BYTES && bomb) throw bombRefusal(archive, limits, current)
    if (!parser.write(chunk))
      await new Promise<void>((res) => {
        parser.once('drain', res)
        wakers.push(res)
      })
  }
  try {
    if ('data' in input && input.data.length <= SMALL_BYTES) {
      // Small archives (most plugins) inflate in one synchronous call: a thread-pool round trip per chunk cost 5x more.
      // The output cap keeps a bomb from taking more than ~65 MiB or ~0.1 s of the event loop.
      const cap = Math.min(streamCap, RATIO_FLOOR_BYTES + input.data.length * Math.max(STREAM_RATIO, limits.maxCompressionRatio))
      let tar: Buffer
      try {
        tar = gunzipSync(input.data, { maxOutputLength: cap })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw bombRefusal(archive, limits, null)
        throw error
      }
      for (let at = 0; at < tar.length && !failure; at += 256 * 1024) await feed(tar.subarray(at, at + 256 * 1024), input.data.length)
    } else {
      const source = 'data' in input ? Readable.from([input.data]) : createReadStream(input.file)
      const packedBytes = () => ('data' in input ? input.data.length : (source as ReturnType<typeof createReadStream>).bytesRead)
      const gunzip = createGunzip({ chunkSize: 256 * 1024 }) // fewer thread-pool round trips than the 16 KiB default
      source.pipe(gunzip)
      source.on('error', (e: Error) => gunzip.destroy(e))
      try {
        for await (const chunk of gunzip as AsyncIterable<Buffer>) {
          if (failure) break
          await feed(chunk, Math.max(1, packedBytes()))
        }
      } finally {
        source.destroy()
        gunzip.destroy()
      }
    }
    if (!failure) {
      parser.end()
      await ended
    }
  } catch (error) {
    fail(error)
  }
  if (failure) {
    if (failure instanceof ArchiveRefusal) throw failure
    throw new ArchiveRefusal(
      'BUNDLE_UNSAFE',
      `archive ${archive} is not a readable .tgz: ${(failure as Error).message}. Rebuild it (app plugins pack writes one).`,
      null,
      { cause: failure },
    )
  }
  return tree
}

function bombRefusal(archive: string, limits: ArchiveLimits, entry: string | null): ArchiveRefusal {
  return new ArchiveRefusal(
    'BUNDLE_TOO_LARGE',
    `archive ${archive} unpacks to over ${limits.maxCompressionRatio} times its packed size (limits.maxCompressionRatio): a gzip bomb${entry ? ` (reached in entry ${JSON.stringify(entry)})` : ''}; nothing was published. Raise the limit only if the archive is yours.`,
    entry,
  )
}

function kindOf(archive: string, entry: ReadEntry): EntryKind {
  if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') return 'file'
  if (entry.type === 'Directory') return 'dir'
  const what = REFUSED[entry.type] ?? `an entry of type ${entry.type}`
  const target = entry.linkpath ? ` (to ${JSON.stringify(entry.linkpath)})` : ''
  throw new ArchiveRefusal(
    'BUNDLE_UNSAFE',
    `archive ${archive}: entry ${JSON.stringify(entry.path)} is ${what}${target}; plugins may hold only regular files and folders, nothing was published. Replace it with a copy of the file.`,
    entry.path,
  )
}
