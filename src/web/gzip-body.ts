import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib'
import type { Context } from 'hono'
import { securedBody } from './security-headers.ts'

// Cached pages are compressed once and sent as gzip to every client that asks for it (every browser does):
// the 80 KiB landing page goes out as 7 KiB, the 110 KiB signed-in one as 14 KiB. A page that carries the session's CSRF token is
// compressed around it, never across it (BREACH): each part between two tokens is its own raw-deflate
// segment, and the token goes in as a stored block that the compressor never sees. No back-reference can
// then match a guess reflected from the query (?q=) against the token, so the compressed size tells an
// onlooker nothing about it.

/** Whether Accept-Encoding allows gzip: named, or covered by `*`, and not refused with q=0 (a named entry wins over `*`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  const q = new Map<string, number>()
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.split(';').map((s) => s.trim().toLowerCase())
    const weight = params.find((p) => p.startsWith('q='))
    q.set(name, weight === undefined ? 1 : Number(weight.slice(2)))
  }
  const gzip = q.get('gzip') ?? q.get('x-gzip') ?? q.get('*')
  return gzip !== undefined && gzip > 0
}

const whole = new WeakMap<Uint8Array, Buffer>()

/** A cached body with no secret in it, gzipped once (the result lives as long as the body does). */
export function gzipped(body: Uint8Array): Buffer {
  let gz = whole.get(body)
  if (!gz) whole.set(body, (gz = gzipSync(body)))
  return gz
}

/** A cached body with no secret in it, gzipped (once) when the client asks for it and it is big enough to gain from it. */
export function encodedBody(c: Context, body: Uint8Array, type: string): Response {
  const gzip = body.length >= 1024 && acceptsGzip(c.req.header('accept-encoding'))
  return securedBody(gzip ? gzipped(body) : body, type, gzip)
}

/** A raw-deflate segment that ends byte-aligned and not final, so segments can be laid end to end. */
const segment = (data: Uint8Array, options: { level?: number; dictionary?: Buffer } = {}) =>
  deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, ...options })
/** An empty final block: ends the deflate stream. */
const END = deflateRawSync(Buffer.alloc(0))
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff])
/** How much of the page before a part its segment may refer back to. */
const WINDOW = 8192
/** Stands in for the secret in that history: a byte no part holds, so no match can reach into it. */
const FILLER = 0

const split = new WeakMap<Uint8Array[], Map<number, Buffer[]>>()

/**
 * Each part as a segment that may refer back to the parts before it, but never to the secret: its history
 * holds FILLER where the secret goes, and a byte that appears in no part is never part of a match, so the
 * output inflates right with the real secret in its place. (Rows repeat: compressed one by one without
 * that history, the landing page shrank 2x instead of 15x.) A page with that byte anywhere gets no history.
 */
function segmentsOf(parts: Uint8Array[], secretLength: number): Buffer[] {
  let bySize = split.get(parts)
  if (!bySize) split.set(parts, (bySize = new Map()))
  let segments = bySize.get(secretLength)
  if (segments) return segments
  const history = !parts.some((p) => p.includes(FILLER))
  let before = Buffer.alloc(0)
  segments = parts.map((part) => {
    const seg = history && before.length ? segment(part, { dictionary: before }) : segment(part)
    if (history) before = Buffer.concat([before, part, Buffer.alloc(secretLength, FILLER)]).subarray(-WINDOW)
    return seg
  })
  bySize.set(secretLength, segments)
  return segments
}

/**
 * `parts` joined by `secret` (parts[0] secret parts[1] secret ...), as one gzip member. The parts are
 * compressed once per `parts` array (and secret length); each call adds only the stored secret and the checksum.
 */
export function gzipAround(parts: Uint8Array[], secret: Uint8Array): Buffer {
  const segments = segmentsOf(parts, secret.length)
  const stored = segment(secret, { level: 0 })
  let crc = 0
  let size = 0
  const out: Buffer[] = [HEADER]
  parts.forEach((part, i) => {
    if (i) {
      out.push(stored)
      crc = crc32(secret, crc)
      size += secret.length
    }
    out.push(segments[i]!)
    crc = crc32(part, crc)
    size += part.length
  })
  const trailer = Buffer.alloc(8)
  trailer.writeUInt32LE(crc >>> 0, 0)
  trailer.writeUInt32LE(size >>> 0, 4)
  out.push(END, trailer)
  return Buffer.concat(out)
}
