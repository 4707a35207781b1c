import { createHash } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import type { ArchiveInput } from '../archive/archive-tree.ts'

/** Why a download failed: the source is unreachable (keep its last good plugins), or the file is over the size cap. */
export class DownloadError extends Error {
  readonly kind: 'unreachable' | 'too-large'
  constructor(kind: 'unreachable' | 'too-large', message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'DownloadError'
    this.kind = kind
  }
}

/** Downloads up to this size stay in memory; larger ones go to a private temp file. */
export const MEMORY_LIMIT_BYTES = 8 * 1024 * 1024

/** Gives a path for a download too large for memory (the caller removes it). */
export type SpillFile = () => Promise<string>

export interface Downloaded {
  sha256: string
  size: number
  body: ArchiveInput
}

/**
 * Reads a body, hashing as it goes, and stops at maxBytes instead of
 * filling memory or disk. Small bodies stay in memory (most plugin archives:
 * no disk round trip); past MEMORY_LIMIT_BYTES they spill to a file.
 */
export async function saveDownload(
  body: Readable | AsyncIterable<Uint8Array>,
  maxBytes: number,
  what: string,
  spill: SpillFile,
): Promise<Downloaded> {
  const hash = createHash('sha256')
  let size = 0
  let chunks: Buffer[] = []
  let out: WriteStream | null = null
  let file: string | null = null
  try {
    for await (const raw of body) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
      size += chunk.length
      if (size > maxBytes)
        throw new DownloadError(
          'too-large',
          `${what} is larger than the limit of ${maxBytes} bytes (maxBytes of the source); the download was stopped. Raise maxBytes for this source if the file is expected to be that large.`,
        )
      hash.update(chunk)
      if (!out && size > MEMORY_LIMIT_BYTES) {
        file = await spill()
        out = createWriteStream(file, { flags: 'wx', mode: 0o600 })
        for (const c of chunks) out.write(c)
        chunks = []
      }
      if (out) {
        if (!out.write(chunk)) await once(out, 'drain')
      } else chunks.push(chunk)
    }
    if (out) {
      out.end()
      await once(out, 'finish')
    }
  } finally {
    if (out && !out.writableFinished) out.destroy()
  }
  return { sha256: hash.digest('hex'), size, body: file ? { file } : { data: Buffer.concat(chunks) } }
}

/** 'zip' or 'tgz' from the first bytes, for URLs and keys that do not end in .zip or .tgz. */
export async function sniffArchive(input: ArchiveInput): Promise<'zip' | 'tgz' | null> {
  let head: Buffer = Buffer.alloc(4)
  if ('data' in input) head = input.data.subarray(0, 4)
  else {
    const handle = await open(input.file, 'r')
    try {
      await handle.read(head, 0, 4, 0)
    } finally {
      await handle.close()
    }
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip'
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tgz'
  return null
}
