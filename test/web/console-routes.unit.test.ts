// long file: the console routes against one published fixture, in-process.
// The operator console's routes in-process (app.request()): triage parameters and their 400s, acknowledge,
// the request queue and audit list, restart guidance, compare, events and the settings form.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { recordRuntimeError } from '../../src/runtime/record-runtime-error.ts'
import { registerProcess } from '../../src/runtime/process-registry.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { TOKEN, bearer, webFixture } from './web-fixture.ts'

const LANDING = '/settings/integrations/plugins'
type Warning = {
  id: string
  code: string
  plugin: string | null
  severity: string
  state: string
  count: number
  lastSeen: string
  acknowledgement: { by: string; note: string } | null
}
type Warnings = { total: number; next: string | null; warnings: Warning[] }

/** A worker that reports RUNTIME_ERRORs of ops-banner: two distinct failures, the second seen twice. */
async function withRuntimeErrors(f: Awaited<ReturnType<typeof webFixture>>) {
  const proc = registerProcess(f.runtime, 'worker')
  await proc.setGeneration(1)
  await proc.reportLoad([{ plugin: 'ops-banner', version: '1.0.0', status: 'loaded', durationMs: 1, warnings: [] }])
  const fail = (message: string, at: Date) =>
    recordRuntimeError(f.runtime, {
      plugin: 'ops-banner',
      version: '1.0.0',
      message,
      detail: 'Error: boom\n    at status (ops-banner/index.js:3:9)',
      where: 'worker@test:1',
      at,
    })
  await fail('status route failed: upstream timed out', new Date(Date.now() - 60_000))
  await fail('banner refresh failed: no on-call rota', new Date(Date.now() - 30_000))
  await fail('banner refresh failed: no on-call rota', new Date(Date.now() - 20_000))
  return { proc, fail }
}

test('triage parameters: bad values are 400 BAD_QUERY naming the parameter and its values, on the page and the API', async (t) => {
  const f = await webFixture(t)
  const cases: Array<[string, RegExp]> = [
    ['severity=fatal', /severity must be one of error, warning, info; found "fatal"/],
    ['state=closed', /state must be one of open, acknowledged, all; found "closed"/],
    ['sort=newest', /sort must be one of lastSeen, count, plugin, severity; found "newest"/],
    ['code=NOPE', /code must be a warning code \(docs\/errors\.md lists them: NOT_A_PLUGIN, MANIFEST_INVALID,.*\); found "NOPE"/],
    ['plugin=Bad%20Name', /plugin must be a plugin name .*found "Bad Name"/],
    [`q=${'x'.repeat(201)}`, /q must be a search text of at most 200 characters; found 201/],
  ]
  for (const [query, message] of cases) {
    const api = await f.json<{ error: { code: string; message: string } }>(`/api/v1/warnings?${query}`, 400)
    assert.equal(api.error.code, 'BAD_QUERY')
    assert.match(api.error.message, message)
    assert.equal((await f.get(`${LANDING}?${query}`)).status, 400, query)
  }
  // Empty parameters (a submitted form) are no filter.
  assert.equal((await f.json<Warnings>('/api/v1/warnings?severity=&plugin=&code=&q=&state=&sort=')).total, 1)
})

test('the warnings API and the landing page filter by severity, plugin, code and text, and sort', async (t) => {
  const f = await webFixture(t)
  const { proc } = await withRuntimeErrors(f)
  const all = await f.json<Warnings>('/api/v1/warnings')
  assert.equal(all.total, 3)
  // Default sort: last seen, newest first.
  assert.deepEqual(
    all.warnings.map((w) => w.code),
    ['MODULE_NOT_FOUND', 'RUNTIME_ERROR', 'RUNTIME_ERROR'],
  )
  assert.match(all.warnings[0]!.id, /^[0-9a-f]{16}$/)
  assert.deepEqual(
    (await f.json<Warnings>('/api/v1/warnings?sort=count')).warnings.map((w) => w.count),
    [2, 1, 1],
  )
  assert.deepEqual(
    (await f.json<Warnings>('/api/v1/warnings?sort=plugin')).warnings.map((w) => w.plugin),
    ['broken-plugin', 'ops-banner', 'ops-banner'],
  )
  assert.deepEqual(
    (await f.json<Warnings>('/api/v1/warnings?sort=severity')).warnings.map((w) => w.severity),
    ['error', 'warning', 'warning'],
  )
  assert.equal((await f.json<Warnings>('/api/v1/warnings?severity=error')).total, 1)
  assert.equal((await f.json<Warnings>('/api/v1/warnings?plugin=ops-banner&code=RUNTIME_ERROR')).total, 2)
  assert.deepEqual(
    (await f.json<Warnings>('/api/v1/warnings?q=ON-CALL%20rota')).warnings.map((w) => w.count),
    [2],
  )
  const paged = await f.json<Warnings>('/api/v1/warnings?plugin=ops-banner&sort=count&limit=1')
  assert.equal(paged.next, '/api/v1/warnings?plugin=ops-banner&sort=count&offset=1&limit=1')

  const page = await f.text(`${LANDING}?plugin=ops-banner&sort=count`)
  const rows = [...page.matchAll(/<tr data-warning="([0-9a-f]{16})">/g)].map((m) => m[1])
  assert.deepEqual(
    rows,
    (await f.json<Warnings>('/api/v1/warnings?plugin=ops-banner&sort=count')).warnings.map((w) => w.id),
  )
  assert.match(page, /<option selected>ops-banner<\/option>/)
  assert.match(page, /<option value="count" selected>/)
  assert.match(page, /\(2 of 3, filtered\)/)
  // The counters link to their views.
  const landing = await f.text(LANDING)
  assert.match(landing, /<a class="card bad" href="\?severity=error#warnings"><span class="n" id="open-error">1<\/span>/)
  assert.match(landing, /<a class="card" href="\?state=acknowledged#warnings"><span class="n" id="count-acknowledged">0<\/span>/)
  // The chart: an SVG drawn on the server, with its figures as a table.
  assert.match(
    landing,
    /<figure class="chart"[\s\S]*<svg viewBox="0 0 560 160"[\s\S]*<caption>Warnings seen per day by severity<\/caption>/,
  )
  const today = new Date().toISOString().slice(0, 10)
  assert.match(landing, new RegExp(`<tr><td>${today}</td><td>1</td><td>2</td><td>0</td></tr>`))
  await proc.stop()
})

test('acknowledge: a note is required; the warning leaves the open view until it is seen again after the acknowledgement', async (t) => {
  const f = await webFixture(t)
  const { proc, fail } = await withRuntimeErrors(f)
  const target = (await f.json<Warnings>('/api/v1/warnings?q=rota')).warnings[0]!
  const ack = (body: Record<string, string>, plugin = 'ops-banner', id = target.id) =>
    f.app.request(`${LANDING}/${plugin}/warnings/${id}/ack`, { method: 'POST', headers: bearer, body: new URLSearchParams(body) })
  const noNote = await ack({ note: '   ' })
  assert.equal(noNote.status, 400)
  assert.match(
    ((await noNote.json()) as { error: { code: string; message: string } }).error.message,
    /note must say why the warning can wait \(1 to 500 characters\); found 0 characters/,
  )
  assert.equal((await ack({ note: 'x' }, 'ops-banner', '0000000000000000')).status, 404)
  assert.equal(((await (await ack({ note: 'x' }, 'broken-plugin')).json()) as { error: { code: string } }).error.code, 'WARNING_NOT_FOUND')
  const ok = await ack({ note: 'Rota is being rebuilt' })
  assert.equal(ok.status, 200)

  assert.equal((await f.json<Warnings>('/api/v1/warnings')).total, 2)
  const acked = await f.json<Warnings>('/api/v1/warnings?state=acknowledged')
  assert.deepEqual(
    acked.warnings.map((w) => [w.id, w.state, w.acknowledgement?.by, w.acknowledgement?.note]),
    [[target.id, 'acknowledged', 'admin token (API)', 'Rota is being rebuilt']],
  )
  assert.equal((await f.json<Warnings>('/api/v1/warnings?state=all')).total, 3)
  assert.doesNotMatch(await f.text(LANDING), new RegExp(`data-warning="${target.id}"`))

  // It happens again: open again, with the new count.
  await fail('banner refresh failed: no on-call rota', new Date(Date.now() + 1000))
  const again = (await f.json<Warnings>('/api/v1/warnings?q=rota')).warnings[0]!
  assert.deepEqual([again.id, again.state, again.count], [target.id, 'open', 3])
  assert.match(await f.text(LANDING), new RegExp(`data-warning="${target.id}"`))

  const audit = await f.json<{
    total: number
    entries: Array<{ action: string; actor: string; plugin: string; detail: string; outcome: string }>
  }>('/api/v1/audit')
  assert.deepEqual(
    audit.entries.map((e) => [e.action, e.actor, e.plugin, e.outcome]),
    [['ack', 'admin token (API)', 'ops-banner', 'done']],
  )
  assert.match(audit.entries[0]!.detail, /RUNTIME_ERROR \([0-9a-f]{16}\): Rota is being rebuilt/)
  await proc.stop()
})

test("a signed-in form needs its session's CSRF token, and the name given at sign-in is who acted", async (t) => {
  const f = await webFixture(t)
  const form = await f.get('/login', {})
  const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
  assert.match(await form.text(), /<label for="name">Your name/)
  const signIn = await f.app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN, csrf, name: ' Bob\u202E Admin ' }),
    headers: { Cookie: `app_login_csrf=${csrf}` },
  })
  const cookie = signIn.headers
    .getSetCookie()
    .find((c) => c.startsWith('app_session='))!
    .split(';')[0]!
  const page = await (await f.get(`${LANDING}/ops-banner`, { Cookie: cookie })).text()
  const token = page.match(/name="csrf" value="([^"]+)"/)![1]!
  const post = (fields: Record<string, string>) =>
    f.app.request(`${LANDING}/ops-banner/disable`, { method: 'POST', headers: { Cookie: cookie }, body: new URLSearchParams(fields) })
  const refused = await post({})
  assert.equal(refused.status, 403)
  assert.match(await refused.text(), /did not carry this session&#39;s CSRF token/)
  const done = await post({ csrf: token })
  assert.equal(done.status, 303)
  assert.equal(done.headers.get('location'), `${LANDING}/ops-banner#actions`)
  const manage = await (await f.get(`${LANDING}/ops-banner`, { Cookie: cookie })).text()
  assert.match(manage, /data-status="pending"><span class="badge info">pending<\/span>\s*<strong>disable<\/strong> by Bob Admin/)
  const audit = await f.json<{ entries: Array<{ actor: string; action: string; outcome: string }> }>('/api/v1/audit')
  assert.deepEqual(
    audit.entries.map((e) => [e.actor, e.action, e.outcome]),
    [['Bob Admin', 'disable', 'pending']],
  )
})

test('disable, enable and rollback are queued for the scheduler; unknown plugins and versions are refused', async (t) => {
  const f = await webFixture(t)
  const post = (path: string, body: Record<string, string> = {}) =>
    f.app.request(`${LANDING}/${path}`, { method: 'POST', headers: bearer, body: new URLSearchParams(body) })
  const queued = await post('ops-banner/disable')
  assert.equal(queued.status, 202)
  const { request } = (await queued.json()) as { request: { id: number; status: string; action: string; plugin: string } }
  assert.deepEqual([request.status, request.action, request.plugin], ['pending', 'disable', 'ops-banner'])
  assert.equal((await post('nope/disable')).status, 404)
  const badVersion = await post('ops-banner/rollback', { version: '9.9.9' })
  assert.equal(badVersion.status, 400)
  assert.match(
    ((await badVersion.json()) as { error: { message: string } }).error.message,
    /version must be one of the stored versions of ops-banner that passed validation: 1\.0\.0; found "9\.9\.9"/,
  )
  assert.equal((await post('broken-plugin/rollback', { version: '1.0.0' })).status, 400) // failed validation: nothing to roll back to
  assert.equal((await post('ops-banner/rollback', { version: '1.0.0' })).status, 202)
  // The landing page marks the pending request; the web role wrote nothing to plugins.db.
  assert.match(await f.text(LANDING), /<tr data-plugin="ops-banner">[\s\S]*?<span class="badge info">rollback pending<\/span>/)
  assert.equal((await f.json<{ generation: number }>('/api/v1/plugins')).generation, 1)
})

test('restart guidance: no banner when a generation changes nothing a process runs (a rejected update); named plugins when it does', async (t) => {
  const f = await webFixture(t)
  const worker = registerProcess(f.runtime, 'worker')
  await worker.setGeneration(1)
  await worker.reportLoad(
    ['instance-type-blacklist', 'ops-banner', 'start-resource-later'].map((plugin) => ({
      plugin,
      version: plugin === 'instance-type-blacklist' ? '1.2.0' : '1.0.0',
      status: 'loaded' as const,
      durationMs: 1,
      warnings: [],
    })),
  )
  // An update of ops-banner that fails validation: generation 2 keeps 1.0.0 and records the rejection.
  writePlugin(f.plugins, 'ops-banner', manifest('ops-banner', { version: '1.1.0', modules: ['gone.js'] }))
  await publishInProcess(f.data, f.plugins)
  assert.equal((await f.json<{ generation: number }>('/api/v1/plugins')).generation, 2)
  const landing = await f.text(LANDING)
  assert.doesNotMatch(landing, /Restart needed/)
  assert.match(landing, /<tr data-plugin="ops-banner">[\s\S]*?<span class="badge warning">update rejected, 1\.0\.0 running<\/span>/)
  const processes = await f.json<{ processes: Array<{ role: string; restartNeeded: boolean }> }>('/api/v1/processes')
  assert.deepEqual(
    processes.processes.filter((p) => p.role === 'worker').map((p) => p.restartNeeded),
    [false],
  )
  const manage = await f.text(`${LANDING}/ops-banner`)
  assert.doesNotMatch(manage, /not loaded/)
  assert.match(manage, /Update rejected, 1\.0\.0 running/)
  assert.match(manage, /version 1\.1\.0 \(rejected update; 1\.0\.0 runs\)/)

  // A real change: 1.2.0 validates. Now the worker runs something else than the store: it is named.
  writePlugin(f.plugins, 'ops-banner', manifest('ops-banner', { version: '1.2.0' }), { 'index.js': 'export function load() {}\n' })
  await publishInProcess(f.data, f.plugins)
  const banner = (await f.text(LANDING)).match(/<div class="banner restart"[\s\S]*?<\/div>/)![0]
  assert.match(banner, /worker@[^<]+<\/span> \(generation 1\): ops-banner 1\.0\.0 → 1\.2\.0<\/li>/)
  const api = await f.json<{ processes: Array<{ role: string; restartPlugins: unknown[] }> }>('/api/v1/processes')
  assert.deepEqual(api.processes.find((p) => p.role === 'worker')!.restartPlugins, [
    { plugin: 'ops-banner', running: '1.0.0', current: '1.2.0' },
  ])
  await worker.stop()
})

test('compare: unknown versions are a 404 naming the kept ones; a failed plugin lists no process as running it', async (t) => {
  const f = await webFixture(t)
  const missing = await f.get(`${LANDING}/ops-banner/compare?from=0.1.0&to=1.0.0`)
  assert.equal(missing.status, 404)
  assert.match(
    ((await missing.json()) as { error: { code: string; message: string } }).error.message,
    /from: the store keeps no version "0\.1\.0" of ops-banner; versions kept: 1\.0\.0/,
  )
  const same = await f.text(`${LANDING}/ops-banner/compare?from=1.0.0&to=1.0.0`)
  assert.match(same, /The two versions hold the same files\./)
  const proc = registerProcess(f.runtime, 'worker')
  await proc.setGeneration(1)
  await proc.reportLoad([{ plugin: 'ops-banner', version: '1.0.0', status: 'failed', durationMs: 1, warnings: [] }])
  const manage = await f.text(`${LANDING}/ops-banner`)
  assert.match(manage, /No live worker or web process has loaded it\./)
  assert.match(manage, /Failed to load in: <span class="mono">worker@/)
  await proc.stop()
})

test('events page: a bad status is a 400 naming the statuses; unknown events are 404; the 404 of an unknown page uses the layout', async (t) => {
  const f = await webFixture(t)
  const bad = await f.get('/settings/events?status=stuck')
  assert.equal(bad.status, 400)
  assert.match(
    ((await bad.json()) as { error: { message: string } }).error.message,
    /status must be one of pending, running, done, failed, cancelled, orphaned; found "stuck"/,
  )
  const retry = await f.app.request('/settings/events/999/retry', { method: 'POST', headers: bearer })
  assert.equal(retry.status, 404)
  assert.equal(((await retry.json()) as { error: { code: string } }).error.code, 'EVENT_NOT_FOUND')
  assert.match(await f.text('/settings/events'), /<h2 id="schedules-title">Schedules<\/h2>/)
  const nf = await f.text('/settings/nothing-here', 404)
  assert.match(nf, /<nav aria-label="Main">[\s\S]*<h1>Not found<\/h1>/)
})

test('the settings form edits declared settings through the settings module: typed, secrets only as references, errors shown', async (t) => {
  const settings = [
    { name: 'webhookUrl', type: 'string', required: true },
    { name: 'retries', type: 'number', default: 3 },
    { name: 'token', type: 'string', secret: true },
    { name: 'level', type: 'choice', choices: ['low', 'high'] },
  ]
  const f = await webFixture(t, {
    extraPlugins: (dir) => writePlugin(dir, 'notifier', manifest('notifier', { settings }), { 'index.js': 'export function load() {}\n' }),
  })
  const page = await f.text(`${LANDING}/notifier`)
  assert.match(page, /SETTINGS_INVALID: webhookUrl is required/)
  const post = (fields: Record<string, string>) =>
    f.app.request(`${LANDING}/notifier/settings`, {
      method: 'POST',
      headers: { ...bearer, Accept: 'text/html' },
      body: new URLSearchParams(fields),
    })
  const refused = await post({
    's.webhookUrl': 'https://hooks.example/x',
    's.retries': 'three',
    's.token': 'plain-secret-value',
    's.level': 'high',
  })
  assert.equal(refused.status, 400)
  const body = (await refused.json()) as { error: { problems: Array<{ key: string; expected: string; found: string }> } }
  assert.deepEqual(
    body.error.problems.map((p) => p.key),
    ['retries', 'token'],
  )
  assert.doesNotMatch(JSON.stringify(body), /plain-secret-value/)
  // Nothing was saved.
  assert.deepEqual(
    (await f.json<{ settings: { settings: Array<{ name: string; source: string }> } }>('/api/v1/plugins/notifier')).settings.settings.map(
      (s) => s.source,
    ),
    ['unset', 'default', 'unset', 'unset'],
  )
  const ok = await post({ 's.webhookUrl': 'https://hooks.example/x', 's.retries': '5', 's.token': 'env:NOTIFIER_TOKEN', 's.level': 'high' })
  assert.equal(ok.status, 200)
  const saved = (
    await f.json<{ settings: { settings: Array<{ name: string; value: unknown }>; fix: string | null } }>('/api/v1/plugins/notifier')
  ).settings
  assert.deepEqual(
    saved.settings.map((s) => s.value),
    ['https://hooks.example/x', 5, 'env:NOTIFIER_TOKEN', 'high'],
  )
  assert.equal(saved.fix, null)
  const after = await f.text(`${LANDING}/notifier`)
  assert.doesNotMatch(after, /SETTINGS_INVALID/)
  assert.match(
    (await f.json<{ entries: Array<{ action: string; detail: string }> }>('/api/v1/audit')).entries[0]!.detail,
    /^set webhookUrl, set retries, set token, set level$/,
  )
})

test("a browser's refused settings form comes back with each problem beside its field", async (t) => {
  const settings = [
    { name: 'retries', type: 'number' },
    { name: 'token', type: 'string', secret: true },
  ]
  const f = await webFixture(t, {
    extraPlugins: (dir) => writePlugin(dir, 'notifier', manifest('notifier', { settings }), { 'index.js': 'export function load() {}\n' }),
  })
  const cookie = await f.signIn()
  const token = (await (await f.get(`${LANDING}/notifier`, { Cookie: cookie })).text()).match(/name="csrf" value="([^"]+)"/)![1]!
  const res = await f.app.request(`${LANDING}/notifier/settings`, {
    method: 'POST',
    headers: { Cookie: cookie },
    body: new URLSearchParams({ csrf: token, 's.retries': 'lots', 's.token': 'hunter2' }),
  })
  assert.equal(res.status, 400)
  const html = await res.text()
  assert.match(html, /<div class="banner error" role="alert" id="settings-errors"><strong>Nothing was saved:<\/strong> 2 problems below\./)
  assert.match(
    html,
    /<input id="setting-retries" name="s\.retries" type="text" value="lots" inputmode="decimal" aria-describedby="setting-retries-hint setting-retries-error" aria-invalid="true">/,
  )
  assert.match(
    html,
    /<p class="field-error" id="setting-token-error">Expected a secret reference, env:NAME or file:\/absolute\/path; found a plain value of 7 character\(s\), not shown/,
  )
})
