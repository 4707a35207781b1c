// long file: the pages against one published fixture, in-process.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { registerProcess } from '../../src/runtime/process-registry.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { webFixture } from './web-fixture.ts'

// What a signed-in admin sees: the landing page, Manage Plugin, the restart banner, the JSON API, /metrics
// and paging. Access (token, sign-in, Host allowlist, headers) is in web-app-access.unit.test.ts.

const LANDING = '/settings/integrations/plugins'

test('the landing page shows counts, every warning, and each plugin with an Action menu led by Manage Plugin', async (t) => {
  const f = await webFixture(t)
  const html = await f.text(LANDING)
  assert.match(html, /^<!DOCTYPE html>/)
  assert.match(html, /<li>Settings<\/li><li>Integrations<\/li><li aria-current="page">Plugins<\/li>/)
  assert.match(html, /id="count-loaded">3</)
  assert.match(html, /id="count-failed">1</)
  // The broken plugin's warning: severity, plugin, code, message, where.
  const at = html.indexOf('<tbody>', html.indexOf('id="warnings"'))
  const row = html.slice(at, html.indexOf('</tbody>', at))
  assert.match(row, /badge error">error/)
  // Links of the landing page are relative to it: where they lead is what counts.
  const leadsTo = (href: string) => new URL(href, `http://localhost${LANDING}`).pathname + new URL(href, 'http://localhost/').hash
  const link = row.match(/href="([^"]+)"><span class="name">broken-<wbr>plugin<\/span></)
  assert.ok(link, 'the warning links to its plugin')
  assert.equal(leadsTo(link[1]!), `${LANDING}/broken-plugin#warnings`)
  assert.match(row, /<code>MODULE_NOT_FOUND<\/code>/)
  assert.match(row, /ingest \(publish\)/)
  for (const name of ['broken-plugin', 'instance-type-blacklist', 'ops-banner', 'start-resource-later']) {
    const menu = html.match(
      new RegExp(
        `<tr data-plugin="${name}">[\\s\\S]*?<details class="menu"><summary>Action</summary><ul[^>]*>\\s*<li><a href="([^"]+)">([^<]+)</a>`,
      ),
    )
    assert.ok(menu, name)
    assert.equal(leadsTo(menu[1]!), `${LANDING}/${name}`)
    assert.equal(menu[2], 'Manage Plugin')
  }
  // The stylesheet is ours, there is no inline script, and the frontend plugin's files are on the page, in manifest order.
  assert.match(html, /<link rel="stylesheet" href="\/static\/app\.css\?v=[0-9a-f]{12}">/)
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/)
  assert.doesNotMatch(html, /\sstyle=/)
  assert.match(html, /<link rel="stylesheet" href="\/plugins\/ops-banner\/assets\/frontend\/style\.css\?v=[0-9a-f]{12}"/)
  assert.match(
    html,
    /<script src="\/plugins\/ops-banner\/assets\/frontend\/init\.js\?v=[0-9a-f]{12}" data-plugin="ops-banner" defer><\/script>/,
  )
  // The failed plugin contributes no frontend files.
  assert.doesNotMatch(html, /\/plugins\/broken-plugin\/assets/)
})

test('plugin-provided text is escaped and bidi override characters are stripped', async (t) => {
  const f = await webFixture(t)
  const landing = await f.text(LANDING)
  assert.doesNotMatch(landing, /<script>alert/)
  assert.match(landing, /missing&lt;script&gt;alert\(1\)&lt;\/script&gt;\.js/)
  const manage = await f.text(`${LANDING}/broken-plugin`)
  assert.doesNotMatch(manage, /<script>alert/)
  assert.doesNotMatch(manage, /<b>Mallory/)
  assert.match(manage, /Says &lt;script&gt;alert\(&quot;pwned&quot;\)&lt;\/script&gt;/)
  assert.match(manage, /&lt;b&gt;Mallory&lt;\/b&gt;/)
  assert.doesNotMatch(manage, /[\u202A-\u202E\u2066-\u2069]/)
  assert.match(manage, /gnp\.exe/)
  // A javascript: support URL is shown as text, never as a link.
  assert.doesNotMatch(manage, /href="javascript:/)
  assert.match(manage, /<dt>Support URL<\/dt><dd>javascript:alert\(1\)<\/dd>/)

  // A warning a live process reports (runtime.db), with markup in it.
  const proc = registerProcess(f.runtime, 'worker')
  await proc.setGeneration(1)
  await proc.reportLoad([
    {
      plugin: 'ops-banner',
      version: '1.0.0',
      status: 'loaded',
      durationMs: 3,
      warnings: [
        {
          code: 'DEPRECATED_API',
          severity: 'warning',
          plugin: 'ops-banner',
          version: '1.0.0',
          message: 'uses <img src=x onerror=alert(1)> \u202Ereversed',
          detail: null,
        },
      ],
    },
  ])
  const after = await f.text(LANDING)
  assert.match(after, /uses &lt;img src=x onerror=alert\(1\)&gt; reversed/)
  assert.doesNotMatch(after, /<img/)
  await proc.stop()
})

test('Manage Plugin shows metadata, sha256, signature, warnings with detail, frontend files and history', async (t) => {
  const f = await webFixture(t)
  const plugins = await f.json<{ plugins: Array<{ name: string; sha256: string }> }>('/api/v1/plugins')
  const ops = plugins.plugins.find((p) => p.name === 'ops-banner')!
  const html = await f.text(`${LANDING}/ops-banner`)
  assert.match(html, /<h1>ops-banner <span class="subtitle">1\.0\.0<\/span> <span class="badge ok">loaded<\/span><\/h1>/)
  assert.match(html, /<li><a href="\/settings\/integrations\/plugins">Plugins<\/a><\/li><li aria-current="page">ops-banner<\/li>/)
  assert.match(html, /<dt>Author<\/dt><dd>Ops Team<\/dd>/)
  assert.match(html, /<dt>Category<\/dt><dd>Interface<\/dd>/)
  assert.match(html, /<dt>Support URL<\/dt><dd><a href="https:\/\/example\.com\/oncall" rel="noopener noreferrer">/)
  assert.ok(html.includes(`<dd class="mono">${ops.sha256}</dd>`))
  assert.match(html, /<dt>Signature<\/dt><dd>/)
  assert.match(html, /id="warnings"[\s\S]*No warnings for this plugin/)
  assert.match(html, /<a href="\/plugins\/ops-banner\/assets\/frontend\/init\.js\?v=[0-9a-f]{12}">frontend\/init\.js<\/a>/)
  assert.match(html, /id="history"[\s\S]*<td>1\.0\.0 <span class="badge ok">current<\/span><\/td>/)

  const broken = await f.text(`${LANDING}/broken-plugin`)
  assert.match(broken, /<span class="badge error">failed<\/span>/)
  assert.match(broken, /This plugin is not loaded: /)
  const section = broken.slice(broken.indexOf('id="warnings"'), broken.indexOf('id="registered"'))
  assert.match(section, /<code[^>]*>MODULE_NOT_FOUND<\/code>/)
  assert.match(section, /version 1\.0\.0 \(not loaded\)/)
  assert.match(section, /modules\[0\] is &quot;missing&lt;script&gt;/)
  assert.match(
    section,
    /<details open><summary>Detail<\/summary><pre>missing&lt;script&gt;alert\(1\)&lt;\/script&gt;\.js<\/pre><\/details>/,
  )
  // Errors come before the details panel, with absolute UTC times.
  assert.ok(broken.indexOf('id="warnings"') < broken.indexOf('id="meta-title"'))
  assert.match(section, /first seen <time datetime="[^"]+" class="abs">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time>/)
  assert.match(section, /Seen by ingest \(publish\)/)

  const missing = await f.get(`${LANDING}/no-such-plugin`)
  assert.equal(missing.status, 404)
  assert.match(await missing.text(), /No plugin named “no-such-plugin”/)
})

test('a live process on an older generation raises the restart banner and shows on the processes page', async (t) => {
  const f = await webFixture(t)
  assert.doesNotMatch(await f.text(LANDING), /Restart needed/)
  const old = registerProcess(f.runtime, 'worker')
  await old.setGeneration(0)
  await old.reportLoad([{ plugin: 'ops-banner', version: '0.9.0', status: 'loaded', durationMs: 2, warnings: [] }])
  // Process ids are host:pid:start-time in ms: a second registration must not share the millisecond.
  for (const t0 = Date.now(); Date.now() === t0; ) await new Promise((r) => setImmediate(r))
  const current = registerProcess(f.runtime, 'web')
  await current.setGeneration(1)
  const html = await f.text(LANDING)
  const banner = html.match(/<div class="banner restart"[\s\S]*?<\/div>/)![0]
  assert.match(banner, /1 process runs plugins that differ from the store's generation 1/)
  assert.ok(
    banner.includes(`worker@`) &&
      banner.includes(
        `:${process.pid}</span> (generation 0): instance-type-blacklist 1.2.0 (new), ops-banner 0.9.0 → 1.0.0, start-resource-later 1.0.0 (new)`,
      ),
  )
  assert.doesNotMatch(banner, /web@/)
  // On every page, not only the landing page.
  assert.match(await f.text('/settings/processes'), /Restart needed/)
  const processes = await f.text('/settings/processes')
  assert.match(
    processes,
    /<td>worker<\/td>[\s\S]*?<td>0 <span class="badge warning">restart needed<\/span><\/td>\s*<td><ul class="plain"><li>instance-type-blacklist 1\.2\.0 \(new\)<\/li><li>ops-banner 0\.9\.0 → 1\.0\.0<\/li>/,
  )
  const api = await f.json<{ processes: Array<{ role: string; generation: number; restartNeeded: boolean; live: boolean }> }>(
    '/api/v1/processes',
  )
  assert.deepEqual(api.processes.map((p) => [p.role, p.generation, p.restartNeeded, p.live]).sort(), [
    ['web', 1, false, true],
    ['worker', 0, true, true],
  ])
  // Manage Plugin says which process runs which version.
  const manage = await f.text(`${LANDING}/ops-banner`)
  assert.match(
    manage,
    /id="processes"[\s\S]*worker@[^<]+<\/td>\s*<td>0 <span class="badge warning">restart needed<\/span><\/td>\s*<td>0\.9\.0<\/td>/,
  )
  await old.setGeneration(1)
  assert.doesNotMatch(await f.text(LANDING), /Restart needed/)
  await old.stop()
  await current.stop()
})

test('the JSON API serves the same data as the pages', async (t) => {
  const f = await webFixture(t)
  const list = await f.json<{
    generation: number
    plugins: Array<{ name: string; status: string; nickname: string | null; warnings: Array<{ code: string }> }>
  }>('/api/v1/plugins')
  assert.equal(list.generation, 1)
  assert.deepEqual(
    list.plugins.map((p) => [p.name, p.status]),
    [
      ['broken-plugin', 'error'],
      ['instance-type-blacklist', 'ok'],
      ['ops-banner', 'ok'],
      ['start-resource-later', 'ok'],
    ],
  )
  assert.deepEqual(
    list.plugins[0]!.warnings.map((w) => w.code),
    ['MODULE_NOT_FOUND'],
  )

  const one = await f.json<{
    name: string
    manifest: { metadata: { author: string } }
    frontend: Array<{ path: string; present: boolean }>
    history: Array<{ version: string; generations: number[] }>
    warnings: unknown[]
  }>('/api/v1/plugins/ops-banner')
  assert.equal(one.manifest.metadata.author, 'Ops Team')
  assert.deepEqual(
    one.frontend.map((x) => [x.path, x.present]),
    [
      ['frontend/init.js', true],
      ['frontend/style.css', true],
    ],
  )
  assert.deepEqual(
    one.history.map((h) => [h.version, h.generations]),
    [['1.0.0', [1]]],
  )
  const missing = await f.json<{ error: { code: string; message: string } }>('/api/v1/plugins/nope', 404)
  assert.equal(missing.error.code, 'PLUGIN_NOT_FOUND')

  const warnings = await f.json<{
    warnings: Array<{ code: string; plugin: string; severity: string; where: string[]; count: number; firstSeen: string }>
  }>('/api/v1/warnings')
  assert.equal(warnings.warnings.length, 1)
  assert.deepEqual(
    [warnings.warnings[0]!.code, warnings.warnings[0]!.plugin, warnings.warnings[0]!.where, warnings.warnings[0]!.count],
    ['MODULE_NOT_FOUND', 'broken-plugin', ['ingest'], 1],
  )
  assert.equal((await f.json<{ warnings: unknown[] }>('/api/v1/warnings?severity=info')).warnings.length, 0)
  assert.equal((await f.json<{ warnings: unknown[] }>('/api/v1/warnings?plugin=broken-plugin')).warnings.length, 1)

  const none = await f.json<{ counts: Record<string, number>; events: unknown[] }>('/api/v1/events')
  assert.deepEqual([none.events, none.counts.pending], [[], 0])
  await enqueueJobs(f.runtime, [
    { eventType: 'custom.start_resource', runAt: Date.now() + 3600_000, description: 'Start a resource.', resource: 'i-0a1' },
  ])
  const events = await f.json<{ counts: Record<string, number>; events: Array<{ eventType: string; status: string; resource: string }> }>(
    '/api/v1/events?status=pending',
  )
  assert.deepEqual(
    events.events.map((e) => [e.eventType, e.status, e.resource]),
    [['custom.start_resource', 'pending', 'i-0a1']],
  )
  assert.equal(events.counts.pending, 1)
  assert.deepEqual((await f.json<{ events: unknown[] }>('/api/v1/events?status=done')).events, [])
  const bad = await f.json<{ error: { code: string; message: string } }>('/api/v1/events?status=bogus', 400)
  assert.match(bad.error.message, /status must be one of pending, running/)
  assert.equal((await f.json<{ error: { code: string } }>('/api/v1/nope', 404)).error.code, 'NOT_FOUND')
})

test('/metrics is Prometheus text with plugin, warning and request figures', async (t) => {
  const f = await webFixture(t)
  await f.text(LANDING)
  const res = await f.get('/metrics')
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  assert.match(text, /^# HELP app_web_ready /m)
  assert.match(text, /^app_web_ready 1$/m)
  assert.match(text, /^app_plugins\{status="error"\} 1$/m)
  assert.match(text, /^app_plugins\{status="ok"\} 3$/m)
  assert.match(text, /^app_plugin_warnings\{severity="error"\} 1$/m)
  assert.match(text, /^app_store_generation 1$/m)
  assert.match(text, /^app_http_requests_total\{code="200"\} [1-9]\d*$/m)
  for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{\w+="[^"]*"\})? -?[\d.e+]+)$/, line)
})

test('long lists come in pages: the landing page pages warnings and plugins, the API pages warnings with next links', async (t) => {
  const f = await webFixture(t, {
    extraPlugins: (dir) => {
      for (let i = 0; i < 50; i++)
        writePlugin(dir, `extra-${String(i).padStart(2, '0')}`, manifest(`extra-${String(i).padStart(2, '0')}`), {
          'index.js': 'export function load() {}',
        })
    },
  })
  const proc = registerProcess(f.runtime, 'worker')
  await proc.setGeneration(1)
  await proc.reportLoad([
    {
      plugin: 'ops-banner',
      version: '1.0.0',
      status: 'loaded',
      durationMs: 1,
      warnings: Array.from({ length: 120 }, (_, i) => ({
        code: 'DEPRECATED_API',
        severity: 'warning' as const,
        plugin: 'ops-banner',
        version: '1.0.0',
        message: `warning number ${String(i).padStart(3, '0')}`,
        detail: null,
      })),
    },
  ])
  // 121 warnings (the broken plugin's and 120 reported by the worker), 54 plugins.
  const first = await f.text(LANDING)
  assert.match(first, /<span>warnings 1-50 of 121<\/span>\s*<a href="\?wpage=2&amp;ppage=1#warnings" rel="next">Next<\/a>/)
  assert.match(first, /<span>plugins 1-50 of 54<\/span>\s*<a href="\?wpage=1&amp;ppage=2#plugins" rel="next">Next<\/a>/)
  assert.equal([...first.matchAll(/<tr data-plugin=/g)].length, 50)
  const last = await f.text(`${LANDING}?wpage=3&ppage=2`)
  assert.match(last, /<a href="\?wpage=2&amp;ppage=2#warnings" rel="prev">Previous<\/a>\s*<span>warnings 101-121 of 121<\/span>\s*<\/p>/)
  assert.match(last, /<span>plugins 51-54 of 54<\/span>/)
  assert.deepEqual(
    [...last.matchAll(/<tr data-plugin="([^"]+)"/g)].map((m) => m[1]),
    ['extra-49', 'instance-type-blacklist', 'ops-banner', 'start-resource-later'],
  )
  // Out-of-range page numbers show the nearest real page.
  assert.match(
    await f.text(`${LANDING}?wpage=999&ppage=-4`),
    /<span>warnings 101-121 of 121<\/span>[\s\S]*<span>plugins 1-50 of 54<\/span>/,
  )

  type Page = { total: number; offset: number; limit: number; next: string | null; warnings: Array<{ message: string }> }
  const p1 = await f.json<Page>('/api/v1/warnings?plugin=ops-banner&limit=50')
  assert.deepEqual([p1.total, p1.offset, p1.limit, p1.warnings.length], [120, 0, 50, 50])
  assert.equal(p1.next, '/api/v1/warnings?plugin=ops-banner&offset=50&limit=50')
  const p3 = await f.json<Page>('/api/v1/warnings?plugin=ops-banner&offset=100&limit=50')
  assert.deepEqual([p3.warnings.length, p3.next, p3.warnings.at(-1)!.message], [20, null, 'warning number 119'])
  assert.equal((await f.json<Page>('/api/v1/warnings')).limit, 100)
  const bad = await f.json<{ error: { message: string } }>('/api/v1/warnings?limit=5000', 400)
  assert.match(bad.error.message, /limit must be an integer from 1 to 1000; found "5000"/)
  await proc.stop()
})
