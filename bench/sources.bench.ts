// long file: one benchmark run end to end (HTTP and S3 servers, baselines, our sync), read top to bottom.
// Remote sources benchmark (issue 6): sync 100 archived plugins (10 files x 4 KiB of code-like text each, .tgz)
// from an HTTP index and from S3 (s3rver), all on 127.0.0.1.
// Baseline, same run: download the same archives with the same client and concurrency and sha256 them.
import { GetObjectCommand, CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import Database from 'better-sqlite3'
import S3rver from 's3rver'
import { Parser, type ReadEntry } from 'tar'
import { gunzipSync } from 'node:zlib'
import { writeTgz } from '../src/archive/write-tgz.ts'
import { sourceSchema } from '../src/config/config-schema.ts'
import { syncPlugins } from '../src/publish/sync-plugins.ts'
import { NO_TRUST } from '../src/signing/create-trust.ts'
import { createHttpSource, type HttpSourceConfig } from '../src/sources/http-source.ts'
import { createS3Source, type S3SourceConfig } from '../src/sources/s3-source.ts'
import type { PluginSource } from '../src/sources/source-types.ts'
import { openWritableStore } from '../src/store/open-store.ts'
import type { BenchResult } from './bench-types.ts'

const PLUGINS = 100
const FILES = 10
const CONCURRENCY = 4 // the sources' download concurrency
const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Pseudo-minified JavaScript: keywords and random identifiers, so it compresses about 3x like real bundles (not 100x like repeated text). */
function codeLike(seed: number, bytes: number): Buffer {
  let x = seed * 2654435761 + 1
  const rand = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32
  const words = [
    'function',
    'return',
    'const',
    'let',
    'if',
    'else',
    'this',
    '=>',
    'await',
    'new',
    'null',
    'true',
    '.map(',
    '.then(',
    '===',
    '&&',
    '||',
    '+',
    '(',
    ')',
    '{',
    '}',
    ';',
    ',',
  ]
  let out = ''
  while (out.length < bytes)
    out +=
      rand() < 0.5
        ? words[Math.floor(rand() * words.length)]
        : `_${Math.floor(rand() * 36 ** 4).toString(36)}${rand() < 0.3 ? Math.floor(rand() * 1000) : ''}`
  return Buffer.from(out.slice(0, bytes))
}

function makeArchives(): Array<{ name: string; data: Buffer }> {
  return Array.from({ length: PLUGINS }, (_, p) => {
    const name = `plugin-${p}`
    const entries = [
      { path: 'package/plugin.json', data: Buffer.from(JSON.stringify({ name, version: '1.0.0', apiVersion: 1, modules: ['index.js'] })) },
      { path: 'package/index.js', data: Buffer.concat([Buffer.from('export function load() {}\n//'), codeLike(p * 100, 4096 - 29)]) },
      ...Array.from({ length: FILES - 2 }, (_, f) => ({ path: `package/lib/f${f + 2}.js`, data: codeLike(p * 100 + f + 1, 4096) })),
    ]
    return { name: `${name}-1.0.0.tgz`, data: writeTgz(entries) }
  })
}

async function mapLimit<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

function httpGetHash(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const hash = createHash('sha256')
        res
          .on('data', (c: Buffer) => hash.update(c))
          .on('end', () => resolve(hash.digest('hex')))
          .on('error', reject)
      })
      .on('error', reject)
  })
}

/** Second baseline: the work any archive publisher must do, done plainly: download, sha256, gunzip, untar, sha256 each file, one raw SQLite insert. */
async function plainPublish(base: string, archives: Array<{ name: string }>, file: string): Promise<number> {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE, data BLOB)')
  const insert = db.prepare('INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)')
  const files: Array<[string, Buffer]> = []
  const t0 = performance.now()
  await mapLimit(archives, async (a) => {
    const data = await new Promise<Buffer>((resolve, reject) =>
      http
        .get(`${base}/a/${a.name}`, (res) => {
          const chunks: Buffer[] = []
          res
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => resolve(Buffer.concat(chunks)))
            .on('error', reject)
        })
        .on('error', reject),
    )
    sha(data)
    const parser = new Parser()
    parser.on('entry', (e: ReadEntry) => {
      const c: Buffer[] = []
      e.on('data', (d: Buffer) => c.push(d))
      e.on('end', () => {
        const b = Buffer.concat(c)
        files.push([sha(b), b])
      })
    })
    parser.end(gunzipSync(data))
  })
  db.transaction(() => {
    for (const [h, b] of files) insert.run(h, b)
  })()
  const ms = performance.now() - t0
  db.close()
  return ms
}

const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now()
  const r = await fn()
  return [performance.now() - t0, r]
}

/** Best of n: the machine is shared and noisy, the minimum is the least disturbed run. fn returns the ms it measured. */
async function best(n: number, fn: () => Promise<number>): Promise<number> {
  let min = Infinity
  for (let i = 0; i < n; i++) min = Math.min(min, await fn())
  return min
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-sources-'))
  const archives = makeArchives()
  const bytes = archives.reduce((n, a) => n + a.data.length, 0)
  process.stderr.write(
    `${PLUGINS} archives, ${(bytes / 1024).toFixed(0)} KiB packed, ${PLUGINS * FILES} files, ${PLUGINS * FILES * 4} KiB unpacked\n`,
  )
  const server = http.createServer((req, res) => {
    if (req.url === '/index.json')
      return void res.end(JSON.stringify({ plugins: archives.map((a) => ({ url: `a/${a.name}`, sha256: sha(a.data) })) }))
    const a = archives.find((x) => `/a/${x.name}` === req.url)
    if (!a) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-length': a.data.length, etag: `"${sha(a.data).slice(0, 16)}"` }).end(a.data)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(root, 's3') })
  const { port } = await s3server.run()
  const endpoint = `http://127.0.0.1:${port}`
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' })
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true })
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'bench' }))
    for (const a of archives) await client.send(new PutObjectCommand({ Bucket: 'bench', Key: `app/${a.name}`, Body: a.data }))

    let run = 0
    // A cold sync into an empty store (opened before the clock starts, as the scheduler has it open).
    const coldSync = async (source: PluginSource) => {
      const store = await openWritableStore(join(root, `store-${run++}`))
      const [ms, r] = await time(() => syncPlugins({ store, sources: [source] }))
      await store.close()
      if (r.plugins !== PLUGINS) throw new Error(`${source.kind} sync published ${r.plugins} plugins`)
      return ms
    }
    const syncHttp = () =>
      coldSync(
        createHttpSource(sourceSchema.parse({ type: 'http', url: `${base}/index.json` }) as HttpSourceConfig, {
          where: 'bench',
          limits,
          trust: NO_TRUST,
        }),
      )
    const syncS3 = () =>
      coldSync(
        createS3Source(
          sourceSchema.parse({ type: 's3', bucket: 'bench', prefix: 'app/', endpoint, forcePathStyle: true }) as S3SourceConfig,
          { limits, trust: NO_TRUST },
        ),
      )
    const baseHttp = async () =>
      (
        await time(() =>
          mapLimit(archives, async (a) => {
            await httpGetHash(`${base}/a/${a.name}`)
          }),
        )
      )[0]
    const baseS3 = async () =>
      (
        await time(() =>
          mapLimit(archives, async (a) => {
            const res = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: `app/${a.name}` }))
            const hash = createHash('sha256')
            for await (const c of res.Body as Readable) hash.update(c as Buffer)
            hash.digest('hex')
          }),
        )
      )[0]

    await baseHttp()
    await syncHttp()
    await baseS3()
    await syncS3() // warm up JIT and connections alike
    const httpBaseMs = await best(5, baseHttp)
    const httpMs = await best(5, syncHttp)
    const plainMs = await best(5, () => plainPublish(base, archives, join(root, `plain-${run++}.db`)))
    process.stderr.write(
      `http: download + sha256 ${httpBaseMs.toFixed(0)} ms, plain download+unpack+hash+insert ${plainMs.toFixed(0)} ms, cold sync ${httpMs.toFixed(0)} ms\n`,
    )
    const s3BaseMs = await best(5, baseS3)
    const s3Ms = await best(5, syncS3)
    process.stderr.write(`s3: download + sha256 ${s3BaseMs.toFixed(0)} ms, cold sync ${s3Ms.toFixed(0)} ms\n`)

    // An unchanged poll: the index pins (HTTP) or the listing's ETags (S3) say nothing changed, so nothing is downloaded.
    const poll = async (source: PluginSource) => {
      const store = await openWritableStore(join(root, `poll-${run++}`))
      await syncPlugins({ store, sources: [source] })
      const ms = await best(5, async () => (await time(() => syncPlugins({ store, sources: [source] })))[0])
      await store.close()
      return ms
    }
    const pollHttpMs = await poll(
      createHttpSource(sourceSchema.parse({ type: 'http', url: `${base}/index.json` }) as HttpSourceConfig, {
        where: 'bench',
        limits,
        trust: NO_TRUST,
      }),
    )
    const pollS3Ms = await poll(
      createS3Source(
        sourceSchema.parse({ type: 's3', bucket: 'bench', prefix: 'app/', endpoint, forcePathStyle: true }) as S3SourceConfig,
        { limits, trust: NO_TRUST },
      ),
    )
    process.stderr.write(`unchanged poll: http ${pollHttpMs.toFixed(0)} ms, s3 ${pollS3Ms.toFixed(0)} ms\n`)

    const goal = '<= 2x'
    return [
      {
        name: 'sources.http',
        what: `cold sync of ${PLUGINS} .tgz plugins (${FILES} files x 4 KiB) from an HTTP index (no dry run)`,
        value: httpMs,
        unit: 'ms',
        baseline: { what: `download + sha256 the same archives (node:http, ${CONCURRENCY} at a time)`, value: httpBaseMs },
        ratio: httpMs / httpBaseMs,
        goal,
        met: httpMs / httpBaseMs <= 2,
      },
      {
        name: 'sources.http-vs-plain',
        what: 'cold sync from the HTTP index, same archives',
        value: httpMs,
        unit: 'ms',
        baseline: {
          what: 'download + sha256 + gunzip + untar + sha256 each file + raw SQLite insert (WAL, synchronous=FULL, one transaction)',
          value: plainMs,
        },
        ratio: httpMs / plainMs,
      },
      {
        name: 'sources.s3',
        what: `cold sync of the same ${PLUGINS} plugins from S3 (s3rver)`,
        value: s3Ms,
        unit: 'ms',
        baseline: { what: `GetObject + sha256 the same archives (AWS SDK, ${CONCURRENCY} at a time)`, value: s3BaseMs },
        ratio: s3Ms / s3BaseMs,
        goal,
        met: s3Ms / s3BaseMs <= 2,
      },
      {
        name: 'sources.poll-http',
        what: 'unchanged poll of the HTTP index (pins match: nothing downloaded)',
        value: pollHttpMs,
        unit: 'ms',
        baseline: { what: 'cold sync from the HTTP index (above)', value: httpMs },
        ratio: pollHttpMs / httpMs,
      },
      {
        name: 'sources.poll-s3',
        what: 'unchanged poll of S3 (listing ETags match: nothing downloaded)',
        value: pollS3Ms,
        unit: 'ms',
        baseline: { what: 'cold sync from S3 (above)', value: s3Ms },
        ratio: pollS3Ms / s3Ms,
      },
    ]
  } finally {
    client.destroy()
    server.closeAllConnections()
    server.close()
    await s3server.close()
    rmSync(root, { recursive: true, force: true })
  }
}
