import { gunzipSync } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { ZipFile } from 'yazl'
import { writeTgz, type TarEntry } from '../../src/archive/write-tgz.ts'
import { createSignatureManifest, SIGNATURE_FILE } from '../../src/signing/signature-manifest.ts'
import { sha256 } from '../../src/bundle/hash-bundle.ts'
import type { KeyObject } from 'node:crypto'

/** A loadable plugin's files: plugin.json and index.js with load(). */
export function pluginFiles(name: string, version = '1.0.0', extra: Record<string, string | Buffer> = {}): Record<string, Buffer> {
  const files: Record<string, string | Buffer> = {
    'plugin.json': JSON.stringify({
      name,
      version,
      apiVersion: 1,
      modules: ['index.js'],
      metadata: { description: `${name} test plugin` },
    }),
    'index.js': `export function load() {}\nexport const version = ${JSON.stringify(version)}\n`,
    ...extra,
  }
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]))
}

/** Adds SIGNATURE.json (signed when a key is given) naming plugin.json's name and version, as `app plugins pack` does; `signs` overrides them. */
export function withSignature(
  files: Record<string, Buffer>,
  key?: KeyObject,
  signs?: { name: string; version: string },
): Record<string, Buffer> {
  const list = Object.entries(files).map(([path, data]) => ({ path, sha256: sha256(data) }))
  // The manifest names what is signed: plugin.json, or package.json (whose appPlugin holds the rest).
  const { name, version } =
    signs ?? (JSON.parse((files['plugin.json'] ?? files['package.json'])!.toString('utf8')) as { name: string; version: string })
  return { ...files, [SIGNATURE_FILE]: Buffer.from(JSON.stringify(createSignatureManifest({ name, version }, list, key))) }
}

/** A .tgz of files under an optional top folder (e.g. 'package/'). */
export function tgzOf(files: Record<string, Buffer>, prefix = ''): Buffer {
  return writeTgz(Object.entries(files).map(([path, data]) => ({ path: prefix + path, data })))
}

/** A .tgz from raw entries, hostile ones included. */
export const rawTgz = (entries: TarEntry[]): Buffer => writeTgz(entries)

export interface ZipEntry {
  path: string
  data?: Buffer
  mode?: number
  dir?: boolean
  compress?: boolean
}

/**
 * A .zip from entries. yazl refuses hostile names, so `rename` swaps a
 * placeholder for the real name in the finished bytes (same length, so
 * every offset stays valid): this is how the tests get "../x" into a zip.
 */
export function zipOf(entries: ZipEntry[], rename: Record<string, string> = {}): Promise<Buffer> {
  const zip = new ZipFile()
  const mtime = new Date('2020-01-01T00:00:00Z')
  for (const e of entries) {
    if (e.dir) zip.addEmptyDirectory(e.path, { mtime, mode: e.mode })
    else zip.addBuffer(e.data ?? Buffer.alloc(0), e.path, { mtime, mode: e.mode, compress: e.compress ?? true })
  }
  zip.end()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    zip.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('error', reject)
      .on('end', () => {
        const out = Buffer.concat(chunks)
        for (const [from, to] of Object.entries(rename)) {
          const a = Buffer.from(from)
          const b = Buffer.from(to)
          if (a.length !== b.length) throw new Error(`zipOf rename: ${from} and ${to} differ in length`)
          let at = out.indexOf(a)
          if (at < 0) throw new Error(`zipOf rename: ${from} not found`)
          for (; at >= 0; at = out.indexOf(a, at + 1)) b.copy(out, at)
        }
        resolve(out)
      })
  })
}

/** A .zip of plugin files under an optional top folder. */
export const zipFiles = (files: Record<string, Buffer>, prefix = ''): Promise<Buffer> =>
  zipOf(Object.entries(files).map(([path, data]) => ({ path: prefix + path, data })))

/** The files of a .tgz (as `app plugins pack` writes them), to tamper with in tests. */
export function readTgz(data: Buffer): Array<{ path: string; mode: number; data: Buffer }> {
  const entries: Array<{ path: string; mode: number; data: Buffer }> = []
  const parser = new Parser({ strict: true })
  parser.on('entry', (entry: ReadEntry) => {
    const chunks: Buffer[] = []
    entry.on('data', (c: Buffer) => chunks.push(c))
    entry.on('end', () => entries.push({ path: entry.path, mode: entry.mode ?? 0o644, data: Buffer.concat(chunks) }))
  })
  parser.end(gunzipSync(data))
  return entries
}
