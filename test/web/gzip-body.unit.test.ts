// The cached landing page and API bodies go out gzipped to clients that ask (every browser): the same bytes
// as without, a Vary header, and a signed-in page compressed around its CSRF token, never across it.
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import { test } from 'vitest'
import { acceptsGzip, gzipAround } from '../../src/web/gzip-body.ts'
import { bearer, webFixture } from './web-fixture.ts'

const LANDING = '/settings/integrations/plugins'
const GZIP = { 'Accept-Encoding': 'gzip, deflate, br, zstd' }

test('Accept-Encoding: gzip when named or *, never when refused with q=0', () => {
  for (const yes of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.5', '*', 'GZIP', 'x-gzip']) assert.ok(acceptsGzip(yes), yes)
  for (const no of [undefined, '', 'identity', 'br', 'gzip;q=0', 'deflate, gzip;q=0.0', 'gzip;q=0, *'])
    assert.ok(!acceptsGzip(no), String(no))
  assert.ok(acceptsGzip('*;q=0, gzip'), 'a named gzip wins over a refused *')
})

test('a page cut at its secret inflates to the joined page, and a guess reflected into it does not shrink it', () => {
  const secret = Buffer.from('5f3a9c0e27d14b86a0e9f2c37b5d1846')
  // What an attacker controls: a ?q= echoed into the page, tried with the real token and with a wrong guess.
  const page = (reflected: string) =>
    [`<html><form><input name="q" value="${reflected}">`, '<table>'.padEnd(4000, 'x'), '</table></html>'].map((s) => Buffer.from(s))
  const right = page(`csrf ${secret}`)
  // The same characters reversed: compressed on its own it takes the same room, so only a match could differ.
  const wrong = page(`csrf ${[...secret.toString()].reverse().join('')}`)
  const joined = (parts: Buffer[]) => Buffer.concat(parts.flatMap((p, i) => (i ? [secret, p] : [p])))

  assert.deepEqual(gunzipSync(gzipAround(right, secret)), joined(right))
  assert.deepEqual(gunzipSync(gzipAround([Buffer.from('no secret at all')], secret)), Buffer.from('no secret at all'))
  // The token is stored as it is: never matched against what the query reflected.
  assert.ok(gzipAround(right, secret).includes(secret))
  // Compressed whole, the right guess shows in the size (BREACH); compressed around the secret, it does not.
  assert.ok(gzipSync(joined(wrong)).length - gzipSync(joined(right)).length >= 10, 'the attack this guards against is real')
  assert.equal(gzipAround(wrong, secret).length, gzipAround(right, secret).length)
})

test('parts compress against the parts before them (never the secret), for any secret length, and a NUL byte does not break it', () => {
  // Rows as the landing page has them: a few hundred bytes each, much like their neighbours.
  const row = (i: number) =>
    `<tr><td class="name"><a href="/settings/integrations/plugins/plugin-${i}">plugin-${i}</a></td><td><span class="badge warning">warning</span></td><td>DEPRECATED_API</td><td>warning ${i % 10} of plugin-${i}: DivvyDbObjects is deprecated; use DbObjects instead</td><td><form method="post" action="/settings/integrations/plugins/plugin-${i}/ack"><input type="hidden" name="csrf" value="`
  const parts = Array.from({ length: 100 }, (_, i) => Buffer.from(`"></form></td></tr>${row(i)}`))
  const joined = (secret: Buffer, ps = parts) => Buffer.concat(ps.flatMap((p, i) => (i ? [secret, p] : [p])))
  for (const secret of [Buffer.from('short'), Buffer.from('a-much-longer-session-token-0123456789abcdef')]) {
    const gz = gzipAround(parts, secret)
    assert.deepEqual(gunzipSync(gz), joined(secret))
    // The 99 secrets go in as they are (5 bytes of block header each); the rows around them shrink 8x or more.
    const stored = 99 * (secret.length + 5)
    assert.ok((gz.length - stored) * 8 < joined(secret).length - 99 * secret.length, `${gz.length - stored} bytes for the rows`)
  }
  const withNul = parts.map((p, i) => (i === 50 ? Buffer.concat([p, Buffer.from([0, 0, 0])]) : p))
  assert.deepEqual(gunzipSync(gzipAround(withNul, Buffer.from('tok'))), joined(Buffer.from('tok'), withNul))
})

test('the landing page and the plugins API answer in gzip to a browser, with the same content, and plainly to curl', async (t) => {
  const f = await webFixture(t)
  for (const path of [LANDING, '/api/v1/plugins']) {
    const plain = await f.app.request(path, { headers: bearer })
    const zipped = await f.app.request(path, { headers: { ...bearer, ...GZIP } })
    assert.equal(plain.headers.get('content-encoding'), null, path)
    assert.equal(zipped.headers.get('content-encoding'), 'gzip', path)
    assert.equal(zipped.headers.get('vary'), 'Accept-Encoding', path)
    assert.equal(plain.headers.get('vary'), 'Accept-Encoding', path)
    const body = Buffer.from(await zipped.arrayBuffer())
    assert.ok(body.length * 2 < (await plain.clone().arrayBuffer()).byteLength, `${path}: gzip is at least 2x smaller`)
    assert.equal(gunzipSync(body).toString(), await plain.text(), path)
  }
  // Under 1 KiB, gzip would save next to nothing: sent as it is.
  const small = await f.app.request('/api/v1/warnings', { headers: { ...bearer, ...GZIP } })
  assert.ok((await small.clone().text()).length < 1024)
  assert.equal(small.headers.get('content-encoding'), null)
})

test("a signed-in browser's gzipped landing page inflates to the page with its own CSRF token in every form", async (t) => {
  const f = await webFixture(t)
  const cookie = await f.signIn('Ann')
  const plain = await (await f.app.request(LANDING, { headers: { Cookie: cookie } })).text()
  const zipped = await f.app.request(LANDING, { headers: { Cookie: cookie, ...GZIP } })
  assert.equal(zipped.headers.get('content-encoding'), 'gzip')
  const page = gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()
  const tokens = [...page.matchAll(/name="csrf" value="([^"]+)"/g)].map((m) => m[1])
  assert.ok(tokens.length >= 2, 'the log-out form and the row forms carry the token')
  assert.equal(new Set(tokens).size, 1)
  assert.equal(page, plain)
})
