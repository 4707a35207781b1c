// long file: the HTTP source's cases against one real server fixture.
import assert from 'node:assert/strict'
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createTcpServer } from 'node:net'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { sourceSchema } from '../../src/config/config-schema.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { createTrust, NO_TRUST, type Trust } from '../../src/signing/create-trust.ts'
import { keyIdOf, rawPublicKey } from '../../src/signing/signing-keys.ts'
import { createArchiveHandler } from '../../src/sources/archive-handler.ts'
import { createDirectorySource } from '../../src/sources/directory-source.ts'
import { createHttpSource, type HttpSourceConfig } from '../../src/sources/http-source.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { tempDir, writePlugin, manifest } from '../helpers/cli.ts'
import { pluginFiles, tgzOf } from './archive-fixtures.ts'
import { startHttpServer } from './http-fixture.ts'
import { sourceContract } from './source-contract.ts'

const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function httpSource(settings: Record<string, unknown>, trust: Trust = NO_TRUST, env: NodeJS.ProcessEnv = {}) {
  const config = sourceSchema.parse({ type: 'http', ...settings }) as HttpSourceConfig
  return createHttpSource(config, { where: 'sources[0]', limits, trust, env })
}

/** Archives under /archives/ and an index JSON with their pins, as a plugin site would publish them. */
async function indexSite(t: TestContext) {
  const http = await startHttpServer(t)
  const archives = new Map<string, Buffer>()
  const publish = () => {
    http.serve(
      '/index.json',
      JSON.stringify({ plugins: [...archives].map(([name, data]) => ({ url: `archives/${name}`, sha256: sha(data) })) }),
    )
  }
  publish()
  return {
    http,
    async add(name: string, data: Buffer) {
      archives.set(name, data)
      http.serve(`/archives/${name}`, data)
      publish()
    },
    async remove(name: string) {
      archives.delete(name)
      http.remove(`/archives/${name}`)
      publish()
    },
  }
}

sourceContract('http', async (t) => {
  const site = await indexSite(t)
  return { add: site.add, remove: site.remove, source: (trust) => httpSource({ url: site.http.url('/index.json') }, trust) }
})

async function openStore(t: TestContext) {
  const store = await openWritableStore(join(tempDir(t), 'data'))
  t.onTestFinished(async () => {
    await store.close()
  })
  return store
}

test('http source: an unchanged archive is not downloaded again, also by a restarted scheduler (If-None-Match, index pins)', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  http.serve('/one.tgz', tgzOf(pluginFiles('one')))
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/one.tgz') })] })
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/one.tgz') })] }) // a new source object: state comes from the store
  assert.equal(http.downloads('/one.tgz'), 1)
  assert.ok(
    http.requests.some((r) => r.path === '/one.tgz' && r.status === 304 && r.headers['if-none-match']),
    'the second request was conditional',
  )
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['one'],
  )

  const site = await indexSite(t)
  await site.add('two.tgz', tgzOf(pluginFiles('two')))
  const index = httpSource({ url: site.http.url('/index.json') })
  await syncPlugins({ store, sources: [index] })
  await syncPlugins({ store, sources: [index] })
  assert.equal(site.http.downloads('/archives/two.tgz'), 1, 'the pinned sha256 did not change, so the archive was not fetched again')
  await site.add('two.tgz', tgzOf(pluginFiles('two', '2.0.0')))
  await syncPlugins({ store, sources: [index] })
  assert.equal(site.http.downloads('/archives/two.tgz'), 2)
  assert.equal((await store.currentGeneration())!.plugins.find((p) => p.name === 'two')!.version, '2.0.0')
})

test('http source: a pinned sha256 that does not match gives CHECKSUM_MISMATCH and publishes nothing', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  const good = tgzOf(pluginFiles('pinned'))
  http.serve('/pinned.tgz', good)
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/pinned.tgz'), sha256: sha(tgzOf(pluginFiles('other'))) })] })
  assert.equal(await store.currentGeneration().then((g) => g?.plugins.length ?? 0), 0, 'nothing published')
  const notice = (await store.notices()).find((n) => n.code === 'CHECKSUM_MISMATCH')!
  assert.match(notice.message, new RegExp(`has sha256 ${sha(good)} but the pinned sha256 is`))

  await syncPlugins({ store, sources: [httpSource({ url: http.url('/pinned.tgz'), sha256: sha(good) })] })
  const published = (await store.currentGeneration())!.plugins[0]!
  assert.equal(published.name, 'pinned')
  assert.ok(!(await store.notices()).some((n) => n.code === 'CHECKSUM_MISMATCH'), 'the notice goes once the pin matches')

  // The file behind the URL changes and the pin is updated to something else again: refused, the last good version stays.
  http.serve('/pinned.tgz', tgzOf(pluginFiles('pinned', '6.6.6')))
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/pinned.tgz'), sha256: sha(tgzOf(pluginFiles('pinned', '2.0.0'))) })] })
  assert.equal((await store.currentGeneration())!.plugins[0]!.id, published.id, 'the last good version stays')
  assert.ok((await store.notices()).some((n) => n.code === 'CHECKSUM_MISMATCH'))
})

test('http source: a slow but complete answer is read; a stalled one times out as SOURCE_UNREACHABLE and the plugins stay', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  const data = tgzOf(pluginFiles('slowpoke'))
  http.handle('/slow.tgz', async (_req, res) => {
    res.writeHead(200, { 'content-length': data.length })
    for (let i = 0; i < data.length; i += 256) {
      res.write(data.subarray(i, i + 256))
      await sleep(30)
    }
    res.end()
  })
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/slow.tgz'), timeoutMs: 60_000 })] })
  const published = (await store.currentGeneration())!
  assert.deepEqual(
    published.plugins.map((p) => p.name),
    ['slowpoke'],
  )

  http.handle('/slow.tgz', (_req, res) => {
    res.writeHead(200, { 'content-length': data.length })
    res.write(data.subarray(0, 100))
  }) // and never more
  const result = await syncPlugins({ store, sources: [httpSource({ url: http.url('/slow.tgz'), timeoutMs: 500 })] })
  assert.equal(result.generation, published.id, 'no new generation: the plugin stays')
  const notice = (await store.notices()).find((n) => n.code === 'SOURCE_UNREACHABLE')!
  assert.match(notice.message, /no complete answer within 500 ms/)
  assert.match(notice.message, /last success: \d{4}-\d\d-\d\dT/)
})

test('http source: failing answers and a closed port raise SOURCE_UNREACHABLE and never empty the store', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  http.serve('/ok.tgz', tgzOf(pluginFiles('steady')))
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/ok.tgz') })] })
  const gen = await store.currentGenerationId()
  http.handle('/ok.tgz', (_req, res) => void res.writeHead(503).end('maintenance'))
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/ok.tgz') })] })
  assert.match((await store.notices()).find((n) => n.code === 'SOURCE_UNREACHABLE')!.message, /HTTP 503/)
  await http.close()
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/ok.tgz') })] })
  assert.match((await store.notices()).find((n) => n.code === 'SOURCE_UNREACHABLE')!.message, /ECONNREFUSED/)
  assert.equal(await store.currentGenerationId(), gen)
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['steady'],
  )
})

test('http source: downloads over maxBytes are stopped, with or without a Content-Length', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  const tmp = tempDir(t, 'app-http-tmp-')
  const before = process.env.TMPDIR
  process.env.TMPDIR = tmp
  t.onTestFinished(() => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
  })
  http.serve('/big.tgz', Buffer.alloc(64 * 1024, 1))
  let sent = 0
  http.handle('/endless.tgz', (_req, res) => {
    res.writeHead(200) // chunked: no length announced
    const chunk = Buffer.alloc(16 * 1024, 2)
    const pump = () => {
      while (res.write(chunk)) {
        sent += chunk.length
        if (sent > 50 * 1024 * 1024) return void res.end()
      }
    }
    res.on('drain', pump)
    pump()
  })
  await syncPlugins({
    store,
    sources: [
      httpSource({ url: http.url('/big.tgz'), maxBytes: 10_000 }),
      httpSource({ url: http.url('/endless.tgz'), maxBytes: 100_000 }),
    ],
  })
  const notices = (await store.notices()).filter((n) => n.code === 'BUNDLE_TOO_LARGE')
  assert.equal(notices.length, 2)
  assert.ok(notices.some((n) => /big\.tgz is 65536 bytes, over the limit of 10000/.test(n.message)))
  assert.ok(notices.some((n) => /endless\.tgz is larger than the limit of 100000 bytes/.test(n.message)))
  assert.ok(sent < 50 * 1024 * 1024, 'the endless download was cut off long before the server gave up')
  assert.deepEqual(readdirSync(tmp), [], 'partial downloads are removed')
})

test('http source: up to 5 redirects are followed, a 6th or a non-http target is refused, credentials stay on their origin', async (t) => {
  const http = await startHttpServer(t)
  const other = await startHttpServer(t)
  const store = await openStore(t)
  for (let i = 1; i <= 6; i++) http.handle(`/r${i}`, (_req, res) => void res.writeHead(302, { location: `/r${i + 1}` }).end())
  http.serve('/r7', tgzOf(pluginFiles('far')))
  http.handle('/five', (_req, res) => void res.writeHead(301, { location: '/r3' }).end()) // /five -> r3..r6 -> r7: 5 redirects
  http.handle('/ftp', (_req, res) => void res.writeHead(302, { location: 'ftp://127.0.0.1/x.tgz' }).end())
  http.handle('/away.tgz', (_req, res) => void res.writeHead(307, { location: other.url('/there.tgz') }).end())
  other.serve('/there.tgz', tgzOf(pluginFiles('there')))

  await syncPlugins({ store, sources: [httpSource({ url: http.url('/five'), sha256: sha(tgzOf(pluginFiles('far'))) })] })
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['far'],
  )

  const six = httpSource({ url: http.url('/r1'), sha256: sha(tgzOf(pluginFiles('far'))) })
  const refused = await six.scan()
  assert.match(refused.notices[0]!.message, /more than 5 redirects/)
  const ftp = await httpSource({ url: http.url('/ftp'), sha256: 'a'.repeat(64) }).scan()
  assert.match(ftp.notices[0]!.message, /redirected to a ftp: URL; only http and https are followed/)

  const away = await httpSource({
    url: http.url('/away.tgz'),
    username: 'ops',
    password: 's3cret',
    headers: { 'X-Api-Key': 'k-123' },
  }).scan()
  assert.deepEqual(
    away.candidates.map((c) => c.check.name),
    ['there'],
  )
  const first = http.requests.find((r) => r.path === '/away.tgz')!
  assert.equal(first.headers.authorization, `Basic ${Buffer.from('ops:s3cret').toString('base64')}`)
  const second = other.requests.find((r) => r.path === '/there.tgz')!
  assert.equal(second.headers.authorization, undefined, 'basic auth is not sent to another origin')
  assert.equal(second.headers['x-api-key'], undefined, 'configured headers are not sent to another origin')
})

test('http source: a server that accepts but never finishes the TLS handshake hits the connect timeout', async (t) => {
  const silent = createTcpServer(() => {}) // accepts and says nothing
  const sockets = new Set<import('node:net').Socket>()
  silent.on('connection', (s) => sockets.add(s))
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res))
  t.onTestFinished(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const port = (silent.address() as import('node:net').AddressInfo).port
  const result = await httpSource({ url: `https://127.0.0.1:${port}/x.tgz`, connectTimeoutMs: 300, timeoutMs: 30_000 }).scan()
  assert.equal(result.reachable, false)
  assert.match(result.notices[0]!.message, /could not connect within 300 ms \(connectTimeoutMs of the source\)/)
})

test('http source: basic auth and headers come from env and files, and neither the store nor the origin holds them', async (t) => {
  const http = await startHttpServer(t)
  const dir = tempDir(t)
  const store = await openWritableStore(join(dir, 'data'))
  t.onTestFinished(async () => {
    await store.close()
  })
  writeFileSync(join(dir, 'password'), 'pa55-from-file\n')
  writeFileSync(join(dir, 'token'), 'token-from-file')
  const data = tgzOf(pluginFiles('private'))
  http.handle('/private.tgz', (req, res) => {
    const ok =
      req.headers.authorization === `Basic ${Buffer.from('reader:pa55-from-file').toString('base64')}` &&
      req.headers['x-env-secret'] === 'env-secret-value' &&
      req.headers['x-file-token'] === 'token-from-file'
    if (!ok) return void res.writeHead(401).end()
    res.writeHead(200).end(data)
  })
  const source = httpSource(
    {
      url: http.url('/private.tgz'),
      username: 'reader',
      passwordFile: join(dir, 'password'),
      headersEnv: { 'X-Env-Secret': 'MY_SECRET' },
      headersFile: { 'X-File-Token': join(dir, 'token') },
    },
    NO_TRUST,
    { MY_SECRET: 'env-secret-value' },
  )
  await syncPlugins({ store, sources: [source] })
  const entry = (await store.currentGeneration())!.plugins[0]!
  assert.equal(entry.name, 'private')
  assert.equal(entry.origin, http.url('/private.tgz'))
  const inUrl = httpSource(
    {
      url: http.url('/private.tgz').replace('http://', 'http://reader:pa55-from-file@'),
      headersEnv: { 'X-Env-Secret': 'MY_SECRET' },
      headersFile: { 'X-File-Token': join(dir, 'token') },
    },
    NO_TRUST,
    { MY_SECRET: 'env-secret-value' },
  )
  const viaUrl = await inUrl.scan()
  assert.equal(
    viaUrl.candidates[0]!.origin,
    http.url('/private.tgz').replace('http://', 'http://***:***@'),
    'user info of the URL is used for auth but shown only as *** in the origin',
  )
  assert.ok(!inUrl.key.includes('pa55'), 'nor in the source key')
  await store.close()
  const bytes =
    readFileSync(join(dir, 'data', 'plugins.db')).toString('latin1') +
    (() => {
      try {
        return readFileSync(join(dir, 'data', 'plugins.db-wal')).toString('latin1')
      } catch {
        return ''
      }
    })()
  for (const secret of ['pa55-from-file', 'env-secret-value', 'token-from-file', Buffer.from('reader:pa55-from-file').toString('base64')])
    assert.ok(!bytes.includes(secret), `${secret} is not in the store`)

  assert.throws(
    () => httpSource({ url: http.url('/private.tgz'), headersEnv: { 'X-A': 'UNSET_VARIABLE' } }),
    /sources\[0\]\.headersEnv\.X-A: environment variable UNSET_VARIABLE is not set/,
  )
})

test('http source: the same plugin name in the directory and over HTTP: the directory (first in order) wins, NAME_CONFLICT for the other', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  const dir = join(tempDir(t), 'plugins')
  writePlugin(dir, 'twin', manifest('twin'), { 'index.js': 'export function load() {}' })
  http.serve('/twin.tgz', tgzOf(pluginFiles('twin', '9.0.0')))
  const directory = createDirectorySource(dir, { limits, settleMs: 0, archives: createArchiveHandler() })
  await syncPlugins({ store, sources: [directory, httpSource({ url: http.url('/twin.tgz') })] })
  const entry = (await store.currentGeneration())!.plugins[0]!
  assert.deepEqual([entry.name, entry.version, entry.source], ['twin', '1.0.0', 'directory'])
  const conflict = (await store.notices()).find((n) => n.code === 'NAME_CONFLICT')!
  assert.match(conflict.message, /twin\.tgz \(http\) is ignored/)
})

test('http source: an index entry\'s detached "signature" must verify with a trusted key, or nothing from that archive is published', async (t) => {
  const http = await startHttpServer(t)
  const store = await openStore(t)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const stranger = generateKeyPairSync('ed25519')
  const trust = createTrust({ publicKeys: [rawPublicKey(publicKey).toString('base64')], requireSignature: false })
  const detached = (data: Buffer, key = privateKey) =>
    `${keyIdOf(createPublicKey(key))}:${sign(null, Buffer.from(sha(data)), key).toString('base64')}`
  const good = tgzOf(pluginFiles('vouched'))
  const forged = tgzOf(pluginFiles('forged'))
  const foreign = tgzOf(pluginFiles('foreign'))
  for (const [name, data] of [
    ['vouched', good],
    ['forged', forged],
    ['foreign', foreign],
  ] as const)
    http.serve(`/${name}.tgz`, data)
  http.serve(
    '/index.json',
    JSON.stringify({
      plugins: [
        { url: 'vouched.tgz', sha256: sha(good), signature: detached(good) },
        { url: 'forged.tgz', sha256: sha(forged), signature: detached(good) }, // a signature of other bytes
        { url: 'foreign.tgz', sha256: sha(foreign), signature: detached(foreign, stranger.privateKey) },
      ],
    }),
  )
  await syncPlugins({ store, sources: [httpSource({ url: http.url('/index.json') }, trust)] })
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['foreign', 'vouched'],
  )
  const notices = await store.notices()
  assert.match(
    notices.find((n) => n.code === 'SIGNATURE_INVALID')!.message,
    /forged\.tgz: the index's signature does not match the archive/,
  )
  const untrusted = notices.find((n) => n.code === 'SIGNATURE_UNTRUSTED')!
  assert.equal(untrusted.severity, 'warning')
  assert.match(untrusted.message, /foreign\.tgz: the index signs it with key [0-9a-f]{16}, which is not in trust\.publicKeys/)
})
