import { gzipSync } from 'node:zlib'
import { Header, Pax, type HeaderData } from 'tar'

export interface TarEntry {
  path: string
  type?: HeaderData['type']
  mode?: number
  data?: Buffer
  linkpath?: string
}

/** Every entry gets this mtime, owner 0 and no user names: the same tree gives the same bytes. */
export const FIXED_MTIME = new Date('2000-01-01T00:00:00Z')

/**
 * Writes an uncompressed tar in the order given (pax headers for long
 * names). Low level on purpose: it writes whatever it is told, which is how
 * the tests build hostile archives too.
 */
export function writeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = []
  for (const e of entries) {
    const type = e.type ?? 'File'
    const size = type === 'File' ? (e.data?.length ?? 0) : 0
    const data: HeaderData = {
      path: e.path,
      type,
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size,
      mtime: FIXED_MTIME,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      linkpath: e.linkpath,
    }
    const header = new Header(data)
    const block = Buffer.alloc(512)
    if (header.encode(block, 0)) blocks.push(new Pax({ path: e.path, linkpath: e.linkpath, mtime: FIXED_MTIME }).encode())
    blocks.push(block)
    if (e.data?.length) {
      blocks.push(e.data)
      const pad = (512 - (e.data.length % 512)) % 512
      if (pad) blocks.push(Buffer.alloc(pad))
    }
  }
  blocks.push(Buffer.alloc(1024)) // end of archive: two zero blocks
  return Buffer.concat(blocks)
}

/** gzip of writeTar, reproducible across platforms (the gzip header's OS byte is fixed to "unknown"). */
export function writeTgz(entries: TarEntry[]): Buffer {
  const gz = gzipSync(writeTar(entries), { level: 9 })
  gz[9] = 255
  return gz
}
