import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config/load-config.ts'
import { publishOnce } from '../src/publish/publish-once.ts'
import { openRuntimeDb } from '../src/runtime/open-runtime.ts'
import { registerProcess } from '../src/runtime/process-registry.ts'
import { openReadonlyStore } from '../src/store/open-store.ts'
import { createWebApp } from '../src/web/create-web-app.ts'
const root = mkdtempSync(join(tmpdir(), 'micro-'))
const plugins = join(root, 'plugins'), data = join(root, 'data')
for (let i = 0; i < 200; i++) { const n = `plugin-${String(i).padStart(4, '0')}`; mkdirSync(join(plugins, n), { recursive: true }); writeFileSync(join(plugins, n, 'plugin.json'), JSON.stringify({ name: n, version: '1.0.0', apiVersion: 1, modules: ['index.js'] })); writeFileSync(join(plugins, n, 'index.js'), 'export function load() {}\n') }
await publishOnce(loadConfig({ flags: { dataDir: data, pluginsDir: plugins }, env: { APP_SETTLE_MS: '0' } }))
const runtime = openRuntimeDb(data)
const w = registerProcess(runtime, 'worker'); await w.setGeneration(1)
await w.reportLoad(Array.from({ length: 200 }, (_, i) => { const plugin = `plugin-${String(i).padStart(4, '0')}`; return { plugin, version: '1.0.0', status: 'loaded' as const, durationMs: 1, warnings: Array.from({ length: 10 }, (_, j) => ({ code: j % 2 ? 'DEPRECATED_API' : 'UNLOAD_LEAK', severity: 'warning' as const, plugin, version: '1.0.0', message: `warning ${j} of ${plugin}: DivvyDbObjects is deprecated`, detail: null })) } }))
const store = await openReadonlyStore(data)
const TOKEN = 'micro-token-0123456789abcdef-0123'
const app = createWebApp({ store, runtime, token: TOKEN, allowedHosts: ['127.0.0.1', 'localhost'] })
const form = await app.request('http://127.0.0.1/login')
const csrf = /app_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie')!)![1]!
const si = await app.request('http://127.0.0.1/login', { method: 'POST', headers: { Cookie: `app_login_csrf=${csrf}` }, body: new URLSearchParams({ token: TOKEN, csrf }) })
const cookie = si.headers.getSetCookie().find((c) => c.startsWith('app_session='))!.split(';')[0]!
for (const [label, headers] of [['bearer', { Authorization: `Bearer ${TOKEN}` }], ['cookie', { Cookie: cookie }]] as const) {
  for (let round = 0; round < 2; round++) {
    const t0 = performance.now(); let bytes = 0
    for (let i = 0; i < 2000; i++) { const r = await app.request('http://127.0.0.1/settings/integrations/plugins', { headers }); bytes += (await r.arrayBuffer()).byteLength }
    console.log(label, ((performance.now() - t0) / 2000 * 1000).toFixed(0), 'us/req', (bytes / 2000 / 1024).toFixed(0), 'KiB')
  }
}
const { Session } = await import('node:inspector/promises')
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start')
for (let i = 0; i < 3000; i++) { const r = await app.request('http://127.0.0.1/settings/integrations/plugins', { headers: { Cookie: cookie } }); await r.arrayBuffer() }
const { profile } = await s.post('Profiler.stop') as any
const self = new Map<string, number>()
const dt = profile.timeDeltas as number[]; const idx = new Map(profile.nodes.map((n: any) => [n.id, n]))
profile.samples.forEach((id: number, i: number) => { const n: any = idx.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)) })
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1000).toFixed(0)}ms ${k}`).join('\n'))
const html = await (await app.request('http://127.0.0.1/settings/integrations/plugins', { headers: { Cookie: cookie } })).text()
const row = html.match(/<tr data-warning[\s\S]*?<\/tr>/)![0]; console.log('warning row', row.length); console.log(row)
const prow = html.match(/<tr data-plugin[\s\S]*?<\/tr>/)![0]; console.log('plugin row', prow.length)
console.log('svg', html.match(/<figure class="chart"[\s\S]*?<\/figure>/)![0].length, 'form', html.match(/<form class="filters"[\s\S]*?<\/form>/)![0].length)
