import assert from 'node:assert/strict'
import { test } from 'vitest'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { bearer, webFixture } from './web-fixture.ts'

const ECHO_PLUGIN = `import { Hono, registerApiBlueprint } from 'app/plugin'
export function load() {
  const app = new Hono()
  app.get('/echo', (c) => c.json({ path: c.req.path, authorization: c.req.header('authorization') ?? null, cookie: c.req.header('cookie') ?? null, q: c.req.query('q') ?? null }))
  app.post('/echo', async (c) => c.json({ body: await c.req.text() }))
  app.get('/boom', () => { throw new Error('kaboom') })
  app.get('/cors', (c) => { c.header('Access-Control-Allow-Origin', '*'); return c.text('no cors here') })
  registerApiBlueprint(app)
}
`

const withEcho = (dir: string) => writePlugin(dir, 'echo-routes', manifest('echo-routes'), { 'index.js': ECHO_PLUGIN })

test('registerApiBlueprint routes are mounted at /plugin/<name>/, behind the admin token', async (t) => {
  const f = await webFixture(t, { extraPlugins: withEcho })
  const web = await f.withLoadedPlugins()
  const status = await web.json<{ onCall: string }>('/plugin/ops-banner/status')
  assert.equal(status.onCall, 'platform-team')
  assert.equal((await web.get('/plugin/ops-banner/status', {})).status, 401)

  // The plugin sees its own path and query, never the admin token or the session cookie.
  const echo = await web.json<{ path: string; authorization: string | null; cookie: string | null; q: string | null }>(
    '/plugin/echo-routes/echo?q=1',
  )
  assert.deepEqual(echo, { path: '/echo', authorization: null, cookie: null, q: '1' })
  const session = `app_session=${Date.now()}.x`
  const viaCookie = await web.get('/plugin/echo-routes/echo', { ...bearer, Cookie: `${session}; theme=dark` })
  assert.equal(((await viaCookie.json()) as { cookie: string }).cookie, 'theme=dark')
  const posted = await web.app.request('/plugin/echo-routes/echo', { method: 'POST', body: 'hello', headers: bearer })
  assert.deepEqual(await posted.json(), { body: 'hello' })
})

test('a plugin route that throws answers 500 and the admin keeps working; plugin CORS headers are dropped', async (t) => {
  const f = await webFixture(t, { extraPlugins: withEcho })
  const web = await f.withLoadedPlugins()
  assert.equal((await web.get('/plugin/echo-routes/boom')).status, 500)
  assert.equal((await web.get('/settings/integrations/plugins')).status, 200)
  const cors = await web.get('/plugin/echo-routes/cors', { ...bearer, Origin: 'http://evil.example' })
  assert.equal(await cors.text(), 'no cors here')
  assert.equal(cors.headers.get('access-control-allow-origin'), null)
  assert.match(cors.headers.get('content-security-policy')!, /^default-src 'self'/)

  const none = await web.json<{ error: { code: string; message: string } }>('/plugin/instance-type-blacklist/x', 404)
  assert.equal(none.error.code, 'PLUGIN_ROUTE_NOT_FOUND')
  assert.match(none.error.message, /plugins with routes: echo-routes, ops-banner/)
  // Without loaded plugins there are no plugin routes at all.
  const bare = await f.json<{ error: { message: string } }>('/plugin/ops-banner/status', 404)
  assert.match(bare.error.message, /no plugins loaded/)
})

test("with plugins loaded, the shell loads the loaded plugins' frontend files and Manage Plugin lists what each registered", async (t) => {
  const f = await webFixture(t, { extraPlugins: withEcho })
  const web = await f.withLoadedPlugins()
  const html = await web.text('/settings/integrations/plugins')
  const scripts = [...html.matchAll(/<script src="([^"?]+)/g)].map((m) => m[1])
  assert.deepEqual(scripts, ['/static/app.js', '/plugins/ops-banner/assets/frontend/init.js'])
  // ?safe=1: the same page without any plugin frontend file, our own script kept.
  const safe = await web.text('/settings/integrations/plugins?safe=1')
  assert.deepEqual(
    [...safe.matchAll(/<script src="([^"?]+)/g)].map((m) => m[1]),
    ['/static/app.js'],
  )
  assert.doesNotMatch(safe, /\/plugins\/ops-banner\/assets\//)
  assert.match(safe, /id="safe-mode"/)
  assert.equal((await web.get('/plugins/ops-banner/assets/frontend/init.js')).status, 200)
  const manage = await web.text('/settings/integrations/plugins/ops-banner')
  const registered = manage.slice(manage.indexOf('id="registered"'), manage.indexOf('id="frontend"'))
  assert.match(registered, /<dt>Routes<\/dt><dd><ul class="plain"><li class="mono">GET \/plugin\/ops-banner\/status<\/li><\/ul>/)
  assert.match(
    registered,
    /<dt>Frontend files<\/dt><dd><ul class="plain"><li class="mono">frontend\/init\.js<\/li><li class="mono">frontend\/style\.css<\/li><\/ul>/,
  )
  const blacklist = await web.text('/settings/integrations/plugins/instance-type-blacklist')
  assert.match(blacklist, /<dt>Filters<\/dt><dd><ul class="plain"><li class="mono">custom\.filter\.[a-z_.]+ \(/)
})
