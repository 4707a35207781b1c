import assert from 'node:assert/strict'
import { test } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/web/security-headers.ts'
import { TOKEN, bearer, webFixture } from './web-fixture.ts'

// Who gets in, and what every answer carries: the token, the sign-in form, probes, the Host allowlist, headers.
// The pages and the JSON API behind the sign-in are in web-app-pages.unit.test.ts.

const LANDING = '/settings/integrations/plugins'

test('without the token, pages redirect to the sign-in form and the API, assets and metrics answer 401', async (t) => {
  const f = await webFixture(t)
  const page = await f.get(`${LANDING}?page=2`, {})
  assert.equal(page.status, 302)
  assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent(`${LANDING}?page=2`)}`)
  assert.equal((await f.get('/api/v1/plugins')).status, 200)
  // Ten wrong tokens below: exactly the sign-in throttle's allowance (the eleventh would be 429, see web-security.unit.test.ts).
  for (const path of [
    '/api/v1/plugins',
    '/api/v1/warnings',
    '/metrics',
    '/plugins/ops-banner/assets/frontend/init.js',
    '/plugin/ops-banner/status',
  ]) {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token' }, { Authorization: `Basic ${TOKEN}` }] as Array<
      Record<string, string>
    >) {
      const res = await f.get(path, headers)
      assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`)
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="app"')
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED')
    }
  }
  // A forged or expired session cookie is no session.
  for (const cookie of ['app_session=1', `app_session=${Date.now() + 1e6}.forged`, 'app_session=1000.abc']) {
    assert.equal((await f.get(LANDING, { Cookie: cookie })).status, 302, cookie)
  }
})

test('probes answer without the token; /readyz is 503 until plugins are loaded', async (t) => {
  let ready = false
  const f = await webFixture(t, { isReady: () => ready })
  assert.equal((await f.get('/livez', {})).status, 200)
  for (const path of ['/readyz', '/healthz']) {
    const res = await f.get(path, {})
    assert.equal(res.status, 503)
    assert.equal(((await res.json()) as { status: string }).status, 'starting')
  }
  ready = true
  const res = await f.get('/readyz', {})
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { status: 'ready', generation: 1, pluginsGeneration: null })
  assert.equal((await f.get('/healthz', {})).status, 200)
})

test('sign in with the form: CSRF-checked, HttpOnly SameSite=Strict cookie, then sign out', async (t) => {
  const f = await webFixture(t)
  const form = await f.get(`/login?next=${encodeURIComponent('/settings/processes')}`, {})
  assert.equal(form.status, 200)
  const csrfCookie = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  const html = await form.text()
  const csrf = html.match(/name="csrf" value="([^"]+)"/)![1]!
  assert.equal(csrf, csrfCookie)
  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    f.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { Cookie: `app_login_csrf=${csrfCookie}`, ...headers },
    })

  // No CSRF field, another site's field, or a post from another origin: refused, and no session.
  for (const [fields, headers] of [
    [{ token: TOKEN }, {}],
    [{ token: TOKEN, csrf: 'x'.repeat(32) }, {}],
    [{ token: TOKEN, csrf }, { Origin: 'http://evil.example' }],
    [{ token: TOKEN, csrf }, { 'Sec-Fetch-Site': 'cross-site' }],
  ] as const) {
    const res = await post(fields, headers)
    assert.equal(res.status, 403)
    assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /app_session=/)
    assert.match(await res.text(), /expired or came from another site/)
  }
  const wrong = await post({ token: 'not-the-token-not-the-token', csrf })
  assert.equal(wrong.status, 401)
  assert.doesNotMatch(wrong.headers.get('set-cookie') ?? '', /app_session=/)
  assert.match(await wrong.text(), /That is not the admin token/)

  const ok = await post({ token: TOKEN, csrf, next: '/settings/processes' })
  assert.equal(ok.status, 303)
  assert.equal(ok.headers.get('location'), '/settings/processes')
  const setCookie = ok.headers.getSetCookie().find((c) => c.startsWith('app_session='))!
  assert.match(setCookie, /HttpOnly/)
  assert.match(setCookie, /SameSite=Strict/)
  assert.match(setCookie, /Path=\//)
  const session = setCookie.split(';')[0]!
  const page = await f.get('/settings/processes', { Cookie: session })
  assert.equal(page.status, 200)
  const logoutCsrf = (await page.text()).match(/action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/)![1]!
  // The landing page is cached across sessions; each still gets its own session's token.
  const landing = await (await f.get(LANDING, { Cookie: session })).text()
  assert.ok(landing.includes(`action="/logout"><input type="hidden" name="csrf" value="${logoutCsrf}">`))
  assert.doesNotMatch(landing, /csrf-slot-/)

  // Sign-out is a form too: without this session's CSRF token it is refused.
  const forged = await f.app.request('/logout', {
    method: 'POST',
    body: new URLSearchParams({ csrf: 'guess' }),
    headers: { Cookie: session },
  })
  assert.equal(forged.status, 403)
  const out = await f.app.request('/logout', {
    method: 'POST',
    body: new URLSearchParams({ csrf: logoutCsrf }),
    headers: { Cookie: session },
  })
  assert.equal(out.status, 303)
  assert.match(out.headers.getSetCookie().join('\n'), /app_session=;.*Max-Age=0/)
})

test('after sign-in, only same-site paths are followed: no open redirect', async (t) => {
  const f = await webFixture(t)
  for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
    const form = await f.get(`/login?next=${encodeURIComponent(next)}`, {})
    const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
    assert.match(await form.text(), new RegExp(`name="next" value="${LANDING}"`))
    const res = await f.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN, csrf, next }),
      headers: { Cookie: `app_login_csrf=${csrf}` },
    })
    assert.equal(res.status, 303)
    assert.equal(res.headers.get('location'), LANDING, next)
  }
})

test('a Host header not on the allowlist is refused (DNS rebinding); configured names and probes pass', async (t) => {
  const f = await webFixture(t, { allowedHosts: ['127.0.0.1', 'localhost', '::1', 'admin.corp.example'] })
  const at = (host: string, path = LANDING) => f.app.request(`http://${host}${path}`, { headers: bearer })
  const evil = await at('evil.example')
  assert.equal(evil.status, 421)
  assert.match(await evil.text(), /Host "evil\.example" is not allowed.*allowedHosts/)
  assert.equal((await at('evil.example:8080', '/api/v1/plugins')).status, 421)
  assert.equal((await at('127.0.0.1:8080')).status, 200)
  assert.equal((await at('localhost')).status, 200)
  assert.equal((await at('[::1]:9000')).status, 200)
  assert.equal((await at('admin.corp.example')).status, 200)
  assert.equal((await at('10.1.2.3', '/livez')).status, 200)
})

test('every response carries the CSP and nosniff; there is no CORS', async (t) => {
  const f = await webFixture(t)
  for (const path of [LANDING, '/api/v1/plugins', '/login', '/livez', '/plugins/ops-banner/assets/frontend/init.js']) {
    const res = await f.app.request(path, { headers: { ...bearer, Origin: 'http://evil.example' } })
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path)
    assert.match(CONTENT_SECURITY_POLICY, /^default-src 'self'/)
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(res.headers.get('access-control-allow-origin'), null)
  }
  const preflight = await f.app.request('/api/v1/plugins', {
    method: 'OPTIONS',
    headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' },
  })
  assert.equal(preflight.headers.get('access-control-allow-origin'), null)
  assert.notEqual(preflight.status, 204)
})
