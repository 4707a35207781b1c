// The landing page and the API answer from caches (snapshot, rendered page, session lookups): a change made
// anywhere, by this web app or by another process's connection, must show on the very next request.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { registerProcess } from '../../src/runtime/process-registry.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { recordRuntimeError } from '../../src/runtime/record-runtime-error.ts'
import { createWebApp } from '../../src/web/create-web-app.ts'
import { allowedHostNames } from '../../src/web/host-allowlist.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { TOKEN, bearer, webFixture } from './web-fixture.ts'

const LANDING = '/settings/integrations/plugins'
type Warnings = { total: number; warnings: Array<{ id: string; message: string; plugin: string | null; state: string }> }

test('a change committed elsewhere shows on the next request of the cached landing page and API', async (t) => {
  const f = await webFixture(t)
  // Another process: its own runtime.db connection, as a worker has.
  const other = openRuntimeDb(f.data)
  t.onTestFinished(() => {
    other.close()
  })
  const landing = () => f.text(LANDING)
  const warnings = () => f.json<Warnings>('/api/v1/warnings?state=all&limit=1000')
  await landing()
  const before = await warnings()
  assert.equal(await landing(), await landing(), 'nothing changed: the same page')

  // A worker loads the generation and reports a warning.
  const worker = registerProcess(other, 'worker')
  t.onTestFinished(() => worker.stop())
  await worker.setGeneration(1)
  await worker.reportLoad([
    {
      plugin: 'ops-banner',
      version: '1.0.0',
      status: 'loaded',
      durationMs: 1,
      warnings: [
        {
          code: 'DEPRECATED_API',
          severity: 'warning',
          plugin: 'ops-banner',
          version: '1.0.0',
          message: 'fresh warning: DivvyDbObjects is deprecated',
        },
      ],
    },
  ])
  assert.match(await landing(), /fresh warning: DivvyDbObjects is deprecated/)
  const reported = await warnings()
  assert.equal(reported.total, before.total + 1)

  // A run-time failure recorded by that worker.
  recordRuntimeError(other, {
    plugin: 'ops-banner',
    version: '1.0.0',
    message: 'status route failed: upstream timed out',
    detail: 'Error: boom',
    where: 'worker@test:1',
    at: new Date(),
  })
  assert.match(await landing(), /status route failed: upstream timed out/)

  // An acknowledgement through this app: the warning leaves the open view at once.
  const fresh = reported.warnings.find((w) => w.message.startsWith('fresh warning'))!
  const ack = await f.app.request(`${LANDING}/ops-banner/warnings/${fresh.id}/ack`, {
    method: 'POST',
    headers: bearer,
    body: new URLSearchParams({ note: 'replaced in 2.0' }),
  })
  assert.ok(ack.status < 400, `ack answered ${ack.status}`)
  assert.doesNotMatch(await landing(), /fresh warning: DivvyDbObjects is deprecated/)
  assert.equal((await warnings()).warnings.find((w) => w.id === fresh.id)?.state, 'acknowledged')

  // A new generation published by the scheduler (the store's writer connection).
  writePlugin(f.plugins, 'late-arrival', manifest('late-arrival'), { 'index.js': 'export function load() {}' })
  const published = await publishInProcess(f.data, f.plugins)
  const page = await landing()
  assert.match(page, /data-plugin="late-arrival"/)
  assert.match(page, new RegExp(`<span class="n">${published.generation}</span><span class="label">store generation`))
})

test('a sign-out in another web process ends the session here on the next request', async (t) => {
  const f = await webFixture(t)
  const otherRuntime = openRuntimeDb(f.data)
  t.onTestFinished(() => {
    otherRuntime.close()
  })
  const other = createWebApp({ store: f.store, runtime: otherRuntime, token: TOKEN, allowedHosts: allowedHostNames('127.0.0.1') })

  const form = await f.get('/login', {})
  const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  const signIn = await f.app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN, csrf }),
    headers: { Cookie: `app_login_csrf=${csrf}` },
  })
  const session = signIn.headers
    .getSetCookie()
    .find((c) => c.startsWith('app_session='))!
    .split(';')[0]!
  for (let i = 0; i < 3; i++) assert.equal((await f.get(LANDING, { Cookie: session })).status, 200)
  const page = await (await other.request(LANDING, { headers: { Cookie: session } })).text()
  const logoutCsrf = page.match(/action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/)![1]!

  const out = await other.request('/logout', {
    method: 'POST',
    body: new URLSearchParams({ csrf: logoutCsrf }),
    headers: { Cookie: session },
  })
  assert.equal(out.status, 303)
  const after = await f.get(LANDING, { Cookie: session })
  assert.equal(after.status, 302, 'the signed-out session still opened the page')
  assert.match(after.headers.get('location') ?? '', /^\/login\?next=/)
})

test('the cached pages carry the security headers of every response', async (t) => {
  const f = await webFixture(t)
  for (const path of [LANDING, '/api/v1/warnings', '/api/v1/plugins']) {
    for (let i = 0; i < 2; i++) {
      const res = await f.get(path)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/, path)
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path)
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path)
      assert.equal(res.headers.get('cache-control'), 'no-store', path)
      assert.match(res.headers.get('content-type') ?? '', path === LANDING ? /^text\/html/ : /^application\/json/)
    }
  }
})
