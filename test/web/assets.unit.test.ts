import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'vitest'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { safeAssetPath } from '../../src/web/safe-asset-path.ts'
import { writePlugin, manifest } from '../helpers/cli.ts'
import { TOKEN, bearer, webFixture } from './web-fixture.ts'

const ASSETS = '/plugins/ops-banner/assets'

test('a frontend file is served with its type, nosniff and an ETag; a repeat is 304', async (t) => {
  const f = await webFixture(t)
  const js = await f.get(`${ASSETS}/frontend/init.js`)
  assert.equal(js.status, 200)
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
  assert.equal(js.headers.get('x-content-type-options'), 'nosniff')
  assert.match(await js.text(), /document\.querySelector\('nav'\)/)
  const etag = js.headers.get('etag')!
  assert.match(etag, /^"[0-9a-f]{64}"$/)
  assert.equal(js.headers.get('cache-control'), 'private, no-cache')
  const again = await f.get(`${ASSETS}/frontend/init.js`, { ...bearer, 'If-None-Match': etag })
  assert.equal(again.status, 304)
  // The versioned URL the page uses may be cached for good.
  const versioned = await f.get(`${ASSETS}/frontend/init.js?v=${etag.slice(1, 13)}`)
  assert.equal(versioned.headers.get('cache-control'), 'private, max-age=31536000, immutable')
  const css = await f.get(`${ASSETS}/frontend/style.css`)
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8')
  assert.match(await css.text(), /\.ops-banner/)
})

test("only frontend files are served: not plugin.json, not the server code, not a failed plugin's files", async (t) => {
  const f = await webFixture(t, {
    extraPlugins: (dir) =>
      writePlugin(dir, 'with-images', manifest('with-images', { frontend: ['web/app.js'] }), {
        'index.js': 'export function load() {}',
        'web/app.js': 'console.log(1)',
        'web/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
        'web/data.bin': 'x',
        'secret.txt': 's3cret',
      }),
  })
  for (const path of [
    `${ASSETS}/plugin.json`,
    `${ASSETS}/index.js`,
    `${ASSETS}/frontend/nope.js`,
    '/plugins/broken-plugin/assets/index.js',
    '/plugins/with-images/assets/secret.txt',
    '/plugins/no-such/assets/a.js',
  ]) {
    const res = await f.get(path)
    assert.equal(res.status, 404, path)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ASSET_NOT_FOUND')
  }
  // Files beside a frontend entry (images, fonts) are served; unknown types only as downloads.
  const png = await f.get('/plugins/with-images/assets/web/logo.png')
  assert.equal(png.status, 200)
  assert.equal(png.headers.get('content-type'), 'image/png')
  const bin = await f.get('/plugins/with-images/assets/web/data.bin')
  assert.equal(bin.headers.get('content-type'), 'application/octet-stream')
  assert.equal(bin.headers.get('content-disposition'), 'attachment')
})

const REFUSED: Array<[string, RegExp]> = [
  ['frontend%2Finit.js', /encoded slash/],
  ['frontend%2finit.js', /encoded slash/],
  ['..%2Fplugin.json', /encoded slash/],
  ['frontend%5Cinit.js', /backslash/],
  ['frontend\\init.js', /backslash/],
  ['frontend/init.js%00.png', /NUL/],
  ['%2e%2e/plugin.json', /".." path segment/],
  ['frontend/%2E%2E/%2e%2e/plugin.json', /".." path segment/],
  ['./frontend/init.js', /"\." path segment/],
  ['/etc/passwd', /absolute path/],
  ['C:/Windows/win.ini', /drive path/],
  ['frontend//init.js', /"" path segment/],
  ['frontend/%0ainit.js', /control character/],
  ['frontend/%E0%A4%A.js', /malformed percent-encoding/],
]

test('safeAssetPath refuses encoded "..", %2F, backslashes, NUL, absolute and drive paths', () => {
  for (const [path, reason] of REFUSED) {
    const r = safeAssetPath(path)
    assert.equal(r.ok, false, path)
    assert.match((r as { reason: string }).reason, reason, path)
  }
  assert.deepEqual(safeAssetPath('frontend/init.js'), { ok: true, path: 'frontend/init.js' })
  assert.deepEqual(safeAssetPath('frontend/my%20file.css'), { ok: true, path: 'frontend/my file.css' })
})

test('traversal attempts over real HTTP never return a file outside the frontend files', async (t) => {
  const f = await webFixture(t)
  const server = serve({ fetch: f.app.fetch, hostname: '127.0.0.1', port: 0 })
  await new Promise((r) => server.once('listening', r))
  t.onTestFinished(async () => {
    await new Promise((r) => server.close(r))
  })
  const port = (server.address() as AddressInfo).port
  // node:http sends the path exactly as written: no client-side normalization.
  const raw = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      req.end()
    })
  const attempts = [
    // ('./frontend/init.js' is left out: the URL parser turns it into the real file's path before any route sees it.)
    ...REFUSED.filter(([p]) => !p.startsWith('./')).map(([p]) => `${ASSETS}/${p.replace('\\', '%5C')}`),
    `${ASSETS}/../plugin.json`,
    `${ASSETS}/frontend/../../../../etc/passwd`,
    `${ASSETS}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
    `${ASSETS}/..%5c..%5cplugin.json`,
    `${ASSETS}/frontend/..%2f..%2fplugin.json`,
    `${ASSETS}//etc/passwd`,
    `${ASSETS}/%00`,
    `${ASSETS}/..\\plugin.json`,
    `${ASSETS}/frontend\\..\\..\\plugin.json`,
    `${ASSETS}/..\\..\\..\\..\\etc\\passwd`,
    `/plugins/..%2Fops-banner/assets/frontend/init.js`,
    `/plugins/%2e%2e/assets/frontend/init.js`,
  ]
  for (const path of attempts) {
    const r = await raw(path)
    assert.ok(r.status >= 400 && r.status < 500, `${path} -> ${r.status}`)
    assert.doesNotMatch(r.body, /"apiVersion"|root:|export function load|querySelector/, path)
  }
  // The same server does serve the real file.
  const ok = await raw(`${ASSETS}/frontend/init.js`)
  assert.equal(ok.status, 200)
  assert.match(ok.body, /querySelector/)
})
