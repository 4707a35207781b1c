// Plugin routes: public paths (registerApiBlueprint(app, { public })) answer without the admin sign-in and tell
// the handler who called (c.get('user')); everything else stays behind it. A route that throws or hangs is a
// RUNTIME_ERROR of its plugin, named by its route pattern; what the plugin answers itself stays its answer.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { checkBlueprintOptions, matchesPublicPath } from '../../src/loader/blueprint-options.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { bearer, TOKEN, webFixture } from './web-fixture.ts'

const ROUTES = `import { Hono, registerApiBlueprint } from 'app/plugin'
export function load() {
  const priv = new Hono()
  priv.get('/webhook', (c) => c.text('private app'))
  priv.get('/me', (c) => c.json(c.get('user')))
  priv.get('/items/:id', () => { throw new Error('kaboom') })
  priv.get('/hang', () => new Promise(() => {}))
  priv.get('/teapot', (c) => { const e = new Error('short and stout'); e.getResponse = () => new Response('teapot', { status: 418 }); throw e })
  registerApiBlueprint(priv)

  const pub = new Hono()
  pub.all('/webhook', (c) => { c.header('Set-Cookie', 'app_session=stolen; Path=/'); return c.json({ app: 'public', user: c.get('user') }) })
  pub.get('/hooks/:id', (c) => c.json({ id: c.req.param('id'), user: c.get('user') }))
  pub.get('/pub/*', (c) => c.json({ path: c.req.path, user: c.get('user') }))
  registerApiBlueprint(pub, { public: ['/webhook', '/hooks/:id', '/pub/*'] })

  const own = new Hono()
  own.get('/handled', () => { throw new Error('handled by the plugin') })
  own.onError((error, c) => c.text('plugin says: ' + error.message, 502))
  own.notFound((c) => c.text('plugin not-found', 404))
  registerApiBlueprint(own)
}
`
const withRoutes = (dir: string) => writePlugin(dir, 'routes-plus', manifest('routes-plus'), { 'index.js': ROUTES })
type Api = {
  warnings: Array<{ code: string; plugin: string; version: string; message: string; detail: string | null; count: number; where: string[] }>
}

test('public paths answer anyone and say who called; other paths need the sign-in; an anonymous caller reaches only apps that made the path public', async (t) => {
  const f = await webFixture(t, { extraPlugins: withRoutes })
  const web = await f.withLoadedPlugins()
  const call = (path: string, init: RequestInit = {}) => web.app.request(`/plugin/routes-plus${path}`, init)

  const anon = await call('/webhook')
  assert.equal(anon.status, 200)
  assert.deepEqual(await anon.json(), { app: 'public', user: { kind: 'anonymous' } })
  assert.equal(anon.headers.get('set-cookie'), null, 'a plugin response cannot set the admin session cookie, public or not')
  assert.equal(await (await call('/webhook', { headers: bearer })).text(), 'private app', 'the admin reaches every app, in order')
  assert.deepEqual(await (await call('/me', { headers: bearer })).json(), { kind: 'admin' })
  assert.deepEqual(await (await call('/hooks/7')).json(), { id: '7', user: { kind: 'anonymous' } })
  assert.deepEqual(await (await call('/pub/a/b')).json(), { path: '/pub/a/b', user: { kind: 'anonymous' } })
  assert.deepEqual(
    await (await call('/web%68ook')).json(),
    { app: 'public', user: { kind: 'anonymous' } },
    "matched on the path the plugin's app routes on",
  )
  for (const path of ['/me', '/webhook/', '/Webhook', '/hooks/7/x', '/hooks/', '/webhook/..%2Fme', '/items/1']) {
    const res = await call(path)
    assert.equal(res.status, 401, path)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED', path)
  }
  // A public POST from a server (no Origin) is fine; from another site's page it is refused like any other.
  assert.equal((await call('/webhook', { method: 'POST', body: '{}' })).status, 200)
  assert.equal(
    (await call('/webhook', { method: 'POST', body: '{}', headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } }))
      .status,
    403,
  )

  // A caller's own Authorization header on a public path is not a failed sign-in: it never locks the admin out.
  for (let i = 0; i < 30; i++)
    assert.deepEqual(await (await call('/webhook', { headers: { Authorization: 'Bearer the-webhook-senders-own-secret' } })).json(), {
      app: 'public',
      user: { kind: 'anonymous' },
    })
  assert.equal((await web.get('/api/v1/plugins')).status, 200)
  assert.deepEqual(await (await call('/pub/x', { headers: { Authorization: `Bearer ${TOKEN}` } })).json(), {
    path: '/pub/x',
    user: { kind: 'admin' },
  })

  // What the plugin registered, as operators review it, says which routes answer without sign-in.
  const routes = web.host.registered('routes-plus')!.routes
  assert.ok(routes.includes('GET /plugin/routes-plus/me') && routes.includes('GET /plugin/routes-plus/webhook'), JSON.stringify(routes))
  for (const r of [
    'ALL /plugin/routes-plus/webhook (public)',
    'GET /plugin/routes-plus/hooks/:id (public)',
    'GET /plugin/routes-plus/pub/* (public)',
  ])
    assert.ok(routes.includes(r), `${r} in ${JSON.stringify(routes)}`)
})

test("a route that throws or hangs is a RUNTIME_ERROR of its plugin, by route pattern; an HTTPException or the plugin's own onError and notFound are its answers", async (t) => {
  const f = await webFixture(t, { extraPlugins: withRoutes, pluginRouteTimeoutMs: 300 })
  const web = await f.withLoadedPlugins()
  const call = (path: string) => web.app.request(`/plugin/routes-plus${path}`, { headers: bearer })
  for (const id of ['1', '2']) assert.equal((await call(`/items/${id}`)).status, 500)
  const hang = await call('/hang')
  assert.equal(hang.status, 504)
  assert.equal(((await hang.json()) as { error: { code: string } }).error.code, 'PLUGIN_ROUTE_TIMEOUT')
  assert.equal((await call('/teapot')).status, 418)
  const handled = await call('/handled')
  assert.deepEqual([handled.status, await handled.text()], [502, 'plugin says: handled by the plugin'])
  const missing = await call('/nothing-here')
  assert.deepEqual([missing.status, await missing.text()], [404, 'plugin not-found'])

  const errors = await waitUntil('both route failures recorded', async () => {
    const w = (await f.json<Api>('/api/v1/warnings?code=RUNTIME_ERROR')).warnings.filter((x) => x.plugin === 'routes-plus')
    return w.length === 2 && w.some((x) => x.count === 2) ? w : null
  })
  const threw = errors.find((w) => w.message === 'route GET /items/:id threw Error: kaboom')
  assert.ok(threw, JSON.stringify(errors))
  assert.equal(threw.count, 2, 'two requests to one route: one warning, counted twice')
  assert.match(threw.where[0]!, /^web@/)
  assert.match(threw.detail ?? '', /^Error: kaboom\n\s+at .*routes-plus\/index\.js:\d+:\d+/)
  assert.ok(
    errors.some((w) => w.message === 'route GET /hang did not answer within 0.3 s; make it answer sooner (long work belongs in a job)'),
    JSON.stringify(errors),
  )
})

test('registerApiBlueprint options: public paths are checked when registered, and matched segment by segment', async (t) => {
  assert.deepEqual(checkBlueprintOptions(undefined), { public: [] })
  assert.deepEqual(checkBlueprintOptions({ public: ['/webhook', '/hooks/:id', '/pub/*', '/'] }), {
    public: ['/webhook', '/hooks/:id', '/pub/*', '/'],
  })
  for (const bad of ['webhook', '/a/../b', '/a?x=1', '/a#b', '//a', '/a/*/b', '/a b', 7]) {
    assert.throws(
      () => checkBlueprintOptions({ public: [bad] }),
      /registerApiBlueprint\(app, options\): expected each options\.public entry to be a path relative to \/plugin\/<name>/,
      String(bad),
    )
  }
  assert.throws(() => checkBlueprintOptions({ public: '/webhook' }), /expected options\.public to be an array of paths/)
  assert.throws(() => checkBlueprintOptions({ plugin: 'other' }), /unknown option "plugin"/)
  assert.equal(matchesPublicPath(['/hooks/:id'], '/hooks/1'), true)
  assert.equal(matchesPublicPath(['/hooks/:id'], '/hooks/'), false)
  assert.equal(matchesPublicPath(['/pub/*'], '/pub'), true)
  assert.equal(matchesPublicPath(['/pub/*'], '/public'), false)
  assert.equal(matchesPublicPath(['/'], '/'), true)
  assert.equal(matchesPublicPath(['/'], '/x'), false)

  // A plugin whose options are wrong does not load, and says why.
  const f = await webFixture(t, {
    extraPlugins: (dir) =>
      writePlugin(dir, 'bad-public', manifest('bad-public'), {
        'index.js': `import { Hono, registerApiBlueprint } from 'app/plugin'\nexport function load() { registerApiBlueprint(new Hono(), { public: ['webhook'] }) }\n`,
      }),
  })
  const detail = await f.json<{ status: string; warnings: Array<{ code: string; message: string }> }>('/api/v1/plugins/bad-public')
  assert.equal(detail.warnings[0]?.code, 'LOAD_FAILED')
  assert.match(detail.warnings[0]!.message, /expected each options\.public entry .* found "webhook"/)
})
