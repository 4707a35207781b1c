import assert from 'node:assert/strict'
import type { Hono } from 'hono'
import { test } from 'vitest'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createWebApp } from '../../src/web/create-web-app.ts'
import { allowedHostNames } from '../../src/web/host-allowlist.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { TOKEN, bearer, webFixture } from './web-fixture.ts'

const LANDING = '/settings/integrations/plugins'

// A plugin whose POST route has a visible effect (a counter), and one that tries to set the admin's cookies.
const COUNTER_PLUGIN = `import { Hono, registerApiBlueprint } from 'app/plugin'
let hits = 0
export function load() {
  const app = new Hono()
  app.post('/hit', (c) => { hits++; return c.json({ hits }) })
  app.get('/hits', (c) => c.json({ hits }))
  app.get('/cookies', (c) => {
    c.header('Set-Cookie', 'app_session=planted-by-plugin; Path=/; HttpOnly', { append: true })
    c.header('Set-Cookie', 'App_Session=planted-too; Path=/settings', { append: true })
    c.header('Set-Cookie', 'app_login_csrf=known-to-plugin; Path=/login', { append: true })
    c.header('Set-Cookie', 'theme=dark; Path=/plugin/counter', { append: true })
    return c.text('cookies set')
  })
  registerApiBlueprint(app)
}
`
const withCounter = (dir: string) => writePlugin(dir, 'counter', manifest('counter'), { 'index.js': COUNTER_PLUGIN })

/** Signs in through the real form (GET /login, then POST with its CSRF token); returns the response and the `app_session=...` pair. */
async function signIn(app: Hono, headers: Record<string, string> = {}) {
  const form = await app.request('/login', { headers })
  const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  const res = await app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN, csrf, next: LANDING }),
    headers: { ...headers, Cookie: `app_login_csrf=${csrf}` },
  })
  assert.equal(res.status, 303, await res.clone().text())
  const session = res.headers
    .getSetCookie()
    .find((c) => /^app_session=[^;]+/.test(c) && !/Max-Age=0/.test(c))!
    .split(';')[0]!
  return { res, session }
}

async function signOut(app: Hono, session: string) {
  const page = await (await app.request('/settings/processes', { headers: { Cookie: session } })).text()
  const csrf = page.match(/action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/)![1]!
  return app.request('/logout', { method: 'POST', body: new URLSearchParams({ csrf }), headers: { Cookie: session } })
}

test("a form on another port of the same host cannot make a plugin route act with the admin's cookie", async (t) => {
  const f = await webFixture(t, { extraPlugins: withCounter })
  const web = await f.withLoadedPlugins()
  const { session } = await signIn(web.app)
  const hits = async () => ((await (await web.get('/plugin/counter/hits')).json()) as { hits: number }).hits
  const post = (headers: Record<string, string>) =>
    web.app.request('/plugin/counter/hit', {
      method: 'POST',
      body: 'x=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    })

  // What a browser sends for a form on http://127.0.0.1:9999 posting here: the cookie, and its own origin.
  for (const headers of [
    { Cookie: session, Origin: 'http://127.0.0.1:9999', 'Sec-Fetch-Site': 'same-site' },
    { Cookie: session, Origin: 'http://127.0.0.1:9999' },
    { Cookie: session, 'Sec-Fetch-Site': 'same-site' },
    { Cookie: session, 'Sec-Fetch-Site': 'cross-site' },
    { Cookie: session, Origin: 'null' },
    { ...bearer, Origin: 'http://evil.example' },
  ] as Array<Record<string, string>>) {
    const res = await post(headers)
    assert.equal(res.status, 403, JSON.stringify(headers))
    const body = (await res.json()) as { error: { code: string; message: string } }
    assert.equal(body.error.code, 'CROSS_ORIGIN')
    assert.match(body.error.message, /POST \/plugin\/counter\/hit came from another origin/)
    assert.match(body.error.message, /Authorization: Bearer/)
  }
  assert.equal(await hits(), 0, 'the plugin never ran')

  // The admin's own page (same origin) and scripts with the token (no Origin) still work.
  assert.equal((await post({ Cookie: session, Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' })).status, 200)
  assert.equal((await post(bearer)).status, 200)
  assert.equal(await hits(), 2)

  // Any other unsafe method, on any path, is refused the same way; reads are not.
  const put = await web.app.request('/settings/integrations/plugins/ops-banner/disable', {
    method: 'POST',
    headers: { Cookie: session, Origin: 'http://127.0.0.1:9999' },
  })
  assert.equal(put.status, 403)
  assert.match(await put.text(), /came from another origin \(Origin: http:\/\/127\.0\.0\.1:9999\)/)
  assert.equal((await web.get(LANDING, { Cookie: session, 'Sec-Fetch-Site': 'same-site' })).status, 200)
})

test('sign-out revokes the session on the server: the old cookie no longer opens anything', async (t) => {
  const f = await webFixture(t)
  const { session } = await signIn(f.app)
  assert.match(session, /^app_session=[A-Za-z0-9_-]{43}$/)
  assert.equal((await f.get(LANDING, { Cookie: session })).status, 200)
  const out = await signOut(f.app, session)
  assert.equal(out.status, 303)
  // The browser drops the cookie, but a copy (stolen, or a second tab's jar) must be dead too.
  assert.equal((await f.get(LANDING, { Cookie: session })).status, 302)
  assert.equal((await f.get('/api/v1/plugins', { Cookie: session })).status, 401)
})

test('sessions live in runtime.db: every web process accepts them and a sign-out on one is seen by all', async (t) => {
  const f = await webFixture(t)
  const other = openRuntimeDb(f.data)
  t.onTestFinished(() => {
    other.close()
  })
  const b = createWebApp({ store: f.store, runtime: other, token: TOKEN, allowedHosts: allowedHostNames('127.0.0.1') })
  const { session } = await signIn(f.app)
  assert.equal((await b.request(LANDING, { headers: { Cookie: session } })).status, 200)
  assert.equal((await signOut(b, session)).status, 303)
  assert.equal((await f.get(LANDING, { Cookie: session })).status, 302)
})

test('an idle session expires', async (t) => {
  const f = await webFixture(t, { sessions: { idleMs: 1000 } })
  const { session } = await signIn(f.app)
  assert.equal((await f.get(LANDING, { Cookie: session })).status, 200)
  // Each request is activity that renews the session: poll less often than the idle limit.
  await waitUntil('the idle session to expire', async () => (await f.get(LANDING, { Cookie: session })).status === 302, 15_000, 1500)
})

test('an app_session cookie tossed from another port on /settings does not lock the admin out', async (t) => {
  const f = await webFixture(t)
  const { res, session } = await signIn(f.app)
  // The browser sends the longer path first: the tossed cookie, then ours.
  const both = `app_session=from-another-app; ${session}`
  const page = await f.get(`${LANDING}/ops-banner`, { Cookie: both })
  assert.equal(page.status, 200)
  const login = await f.get(`/login?next=${encodeURIComponent(LANDING)}`, { Cookie: both })
  assert.equal(login.status, 302)
  assert.equal(login.headers.get('location'), LANDING)
  // Sign-in clears the variants such a cookie lives under.
  const cleared = res.headers
    .getSetCookie()
    .filter((c) => /^app_session=;/.test(c) && /Max-Age=0/.test(c))
    .map((c) => c.match(/Path=([^;]+)/)![1])
  for (const path of ['/settings', '/settings/integrations', '/settings/integrations/plugins'])
    assert.ok(cleared.includes(path), `${path} in ${cleared}`)
  assert.ok(!cleared.includes('/'), 'the new session itself is not cleared')
  const out = await signOut(f.app, session)
  assert.ok(out.headers.getSetCookie().some((c) => /^app_session=;.*Path=\/settings(;|$)/.test(c)))
})

test('repeated wrong Bearer tokens are throttled with 429 and Retry-After, and then even the right one waits', async (t) => {
  const f = await webFixture(t)
  for (let i = 0; i < 10; i++)
    assert.equal((await f.get('/api/v1/plugins', { Authorization: `Bearer wrong-token-number-${i}` })).status, 401)
  const res = await f.get('/api/v1/plugins', { Authorization: 'Bearer wrong-token-number-11' })
  assert.equal(res.status, 429)
  const wait = Number(res.headers.get('retry-after'))
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`)
  const body = (await res.json()) as { error: { code: string; message: string } }
  assert.equal(body.error.code, 'TOO_MANY_FAILED_SIGN_INS')
  assert.match(body.error.message, /10 failed sign-ins .* try again in \d+ s/)
  // While throttled the token is not even compared: the right one gets 429 too (no oracle).
  assert.equal((await f.get('/api/v1/plugins')).status, 429)
  // The sign-in form shares the same count.
  const form = await f.get('/login', {})
  const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  const post = await f.app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN, csrf }),
    headers: { Cookie: `app_login_csrf=${csrf}` },
  })
  assert.equal(post.status, 429)
  assert.ok(Number(post.headers.get('retry-after')) >= 1)
  assert.match(await post.text(), /Too many failed sign-ins/)
  assert.doesNotMatch(post.headers.get('set-cookie') ?? '', /app_session=[^;]/)
})

test('repeated wrong tokens in the sign-in form are throttled with 429 and Retry-After', async (t) => {
  const f = await webFixture(t)
  const form = await f.get('/login', {})
  const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  const post = (token: string) =>
    f.app.request('/login', { method: 'POST', body: new URLSearchParams({ token, csrf }), headers: { Cookie: `app_login_csrf=${csrf}` } })
  for (let i = 0; i < 10; i++) assert.equal((await post(`not-the-token-${i}-xxxxxxxx`)).status, 401)
  const res = await post('not-the-token-11-xxxxxxxx')
  assert.equal(res.status, 429)
  assert.ok(Number(res.headers.get('retry-after')) >= 1)
  assert.match(await res.text(), /Too many failed sign-ins from your address\. Try again in \d+ s\./)
  assert.equal((await post(TOKEN)).status, 429)
})

test('a plugin route cannot set or replace the admin session cookie', async (t) => {
  const f = await webFixture(t, { extraPlugins: withCounter })
  const web = await f.withLoadedPlugins()
  const res = await web.get('/plugin/counter/cookies')
  assert.equal(await res.text(), 'cookies set')
  const cookies = res.headers.getSetCookie()
  assert.deepEqual(cookies, ['theme=dark; Path=/plugin/counter'])
})
