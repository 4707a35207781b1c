// long file: one benchmark run end to end (fixture, hello-world baseline, each view, publish under load).
// Web benchmark (issue 4). The web role (its own process, --role=web) with 200 plugins and 2,000 warnings:
// the landing page (unfiltered, filtered by the triage parameters, and as a signed-in browser gets it, with
// the session's CSRF token in every form) and /api/v1/warnings under autocannon (10 connections, loopback),
// each loaded in turns with a hello-world Hono route on @hono/node-server, the baseline of its ratio. Then
// the landing page while a scheduler process publishes 1,000 new plugins into the same store.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openRuntimeDb } from '../src/runtime/open-runtime.ts'
import { registerProcess } from '../src/runtime/process-registry.ts'
import type { BenchResult } from './bench-types.ts'
import { load, loadInTurns, type LoadResult, type Target } from './web/run-autocannon.ts'

const here = dirname(fileURLToPath(import.meta.url))
const APP = join(here, '../bin/app.js')
const PLUGINS = 200
const WARNINGS_PER_PLUGIN = 10
const PUBLISHED = 1000
const SECONDS = Number(process.env.BENCH_WEB_SECONDS ?? 10)
const TOKEN = 'bench-admin-token-0123456789abcdef'
/** A triage view: one severity, one code, a text search, sorted by count. */
const FILTERED = 'settings/integrations/plugins?severity=warning&code=DEPRECATED_API&q=deprecated&sort=count'
const auth = { Authorization: `Bearer ${TOKEN}` }
/** What every browser sends: the cached pages go out gzipped (src/web/gzip-body.ts). curl sends nothing. */
const BROWSER = { 'Accept-Encoding': 'gzip, deflate, br, zstd' }
const browserAuth = { ...auth, ...BROWSER }
const progress = (s: string) => process.stderr.write(`  web: ${s}\n`)

function writePlugins(dir: string, prefix: string, n: number) {
  for (let i = 0; i < n; i++) {
    const name = `${prefix}-${String(i).padStart(4, '0')}`
    mkdirSync(join(dir, name), { recursive: true })
    writeFileSync(
      join(dir, name, 'plugin.json'),
      JSON.stringify({
        name,
        version: '1.0.0',
        apiVersion: 1,
        modules: ['index.js'],
        metadata: { nickname: `Plugin ${i}`, description: `Benchmark plugin ${i}`, author: 'Bench' },
      }),
    )
    writeFileSync(join(dir, name, 'index.js'), 'export function load() {}\n')
  }
}

/** Starts a child and resolves with what `parse` finds in its output. */
function startChild(
  args: string[],
  parse: (out: string) => string | null,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; value: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`timed out starting ${args.join(' ')}: ${out.slice(-2000)}`))
    }, 120_000)
    const on = (d: Buffer) => {
      out += d
      const value = parse(out)
      if (value !== null) {
        clearTimeout(timer)
        resolve({ child, value })
      }
    }
    child.stdout!.on('data', on)
    child.stderr!.on('data', on)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))
    })
  })
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r()
    child.once('exit', () => r())
    child.kill('SIGTERM')
  })

const show = (what: string, r: LoadResult) => {
  if (r.non2xx || r.errors)
    throw new Error(`${what}: ${r.non2xx} non-2xx responses and ${r.errors} errors: the figures would measure failures`)
  progressLine(what, r)
}
const progressLine = (what: string, r: LoadResult) =>
  progress(
    `${what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${(r.bytesPerRequest / 1024).toFixed(1)} KiB/response, ${r.non2xx} non-2xx, ${r.errors} errors`,
  )

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-web-'))
  const children: ChildProcess[] = []
  try {
    const data = join(root, 'data')
    const plugins = join(root, 'plugins')
    progress(`publishing ${PLUGINS} plugins...`)
    writePlugins(plugins, 'plugin', PLUGINS)
    const sync = await startChild([join(here, 'web/publish-child.ts'), data, plugins], (out) => (out.includes('"generation"') ? out : null))
    await new Promise((r) => sync.child.once('exit', r))

    // 2,000 warnings: what a live worker reported while loading (runtime.db), 10 per plugin.
    const runtime = openRuntimeDb(data)
    const worker = registerProcess(runtime, 'worker')
    await worker.setGeneration(1)
    await worker.reportLoad(
      Array.from({ length: PLUGINS }, (_, i) => {
        const plugin = `plugin-${String(i).padStart(4, '0')}`
        return {
          plugin,
          version: '1.0.0',
          status: 'loaded' as const,
          durationMs: 1,
          warnings: Array.from({ length: WARNINGS_PER_PLUGIN }, (_, j) => ({
            code: j % 2 ? 'DEPRECATED_API' : 'UNLOAD_LEAK',
            severity: 'warning' as const,
            plugin,
            version: '1.0.0',
            message: `warning ${j} of ${plugin}: DivvyDbObjects is deprecated; use DbObjects instead (removed in 2.0)`,
            detail: `at load (${plugin}/index.js:${j + 1}:1)`,
          })),
        }
      }),
    )

    const hello = await startChild([join(here, 'web/hello-server.ts')], (out) => /listening (\d+)/.exec(out)?.[1] ?? null)
    children.push(hello.child)
    const prof = process.env.BENCH_WEB_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WEB_PROFILE] : []
    const web = await startChild(
      [...prof, APP, '--role=web', '--port', '0', '--data-dir', data, '--plugins-dir', plugins],
      (out) => {
        const m = /"url":"([^"]+)"[^\n]*"msg":"web ready"/.exec(out)
        return m ? m[1]! : null
      },
      { APP_ADMIN_TOKEN: TOKEN, APP_LOG_LEVEL: 'info' },
    )
    children.push(web.child)
    const url = web.value
    const check = await fetch(`${url}api/v1/warnings`, { headers: auth })
    const count = ((await check.json()) as { total: number }).total
    if (count !== PLUGINS * WARNINGS_PER_PLUGIN) throw new Error(`expected ${PLUGINS * WARNINGS_PER_PLUGIN} warnings, the API has ${count}`)
    progress(`web role at ${url} with ${PLUGINS} plugins and ${count} warnings`)

    await load(`http://127.0.0.1:${hello.value}/`, { seconds: 2 }) // warm both servers up alike
    const session = { Cookie: await signIn(url), ...BROWSER }
    for (const [path, headers] of [
      ['settings/integrations/plugins', browserAuth],
      [FILTERED, browserAuth],
      ['settings/integrations/plugins', session],
      ['settings/integrations/plugins', auth],
    ] as const)
      await load(`${url}${path}`, { seconds: 2, headers })
    // Each view in turns with the hello-world route (5 rounds): the ratio of each row is to its own baseline.
    const inTurns = async (what: string, target: Target) => {
      const baseline = { url: `http://127.0.0.1:${hello.value}/`, headers: target.headers?.['Accept-Encoding'] ? BROWSER : {} }
      const r = await loadInTurns(target, baseline, { seconds: SECONDS })
      show(`${what} (hello world in turns: ${r.baseline.rps.toFixed(0)} req/s, p99 ${r.baseline.p99} ms)`, r.target)
      return [r.target, r.baseline] as const
    }
    const [landing, landingBase] = await inTurns('landing page', { url: `${url}settings/integrations/plugins`, headers: browserAuth })
    const [plain, plainBase] = await inTurns('landing page, no Accept-Encoding', {
      url: `${url}settings/integrations/plugins`,
      headers: auth,
    })
    const [filtered, filteredBase] = await inTurns('landing page, filtered', { url: `${url}${FILTERED}`, headers: browserAuth })
    const [signedIn, signedInBase] = await inTurns('landing page, signed-in session', {
      url: `${url}settings/integrations/plugins`,
      headers: session,
    })
    const [warnings, warningsBase] = await inTurns('/api/v1/warnings', { url: `${url}api/v1/warnings`, headers: auth })
    await stop(hello.child)

    // A scheduler (its own process) publishes 1,000 more plugins while the landing page is under load.
    writePlugins(plugins, 'published', PUBLISHED)
    progress(`publishing ${PUBLISHED} more plugins while loading the landing page...`)
    let published: { generation: number; ms: number } | null = null
    const during = load(`${url}settings/integrations/plugins`, {
      seconds: 600,
      headers: browserAuth,
      until: (async () => {
        await new Promise((r) => setTimeout(r, 1000))
        const pub = await startChild([join(here, 'web/publish-child.ts'), data, plugins], (out) =>
          /"generation":\d+/.test(out) ? out : null,
        )
        published = JSON.parse(pub.value.trim().split('\n').at(-1)!)
        // Keep loading until the web role has rebuilt its page for the new generation, and a little after.
        for (;;) {
          const r = await fetch(`${url}api/v1/plugins`, { headers: auth })
          if (((await r.json()) as { generation: number }).generation === published!.generation) break
        }
        await new Promise((r) => setTimeout(r, 1000))
      })(),
    })
    const publish = await during
    show(`landing page during the publish (publish took ${published!.ms.toFixed(0)} ms)`, publish)
    await worker.stop()
    runtime.close()

    const ratio = (r: LoadResult, base: LoadResult) => r.rps / base.rps
    const BASE = 'hello-world Hono route, loaded in turns with it'
    return [
      {
        name: 'web.landing.throughput',
        what: `landing page, ${PLUGINS} plugins, ${count} warnings (50 of each per page), as a browser asks for it (Accept-Encoding: gzip), 10 connections (higher is better)`,
        value: landing.rps,
        unit: 'req/s',
        baseline: { what: BASE, value: landingBase.rps },
        ratio: ratio(landing, landingBase),
        goal: '>= 0.25x',
        met: ratio(landing, landingBase) >= 0.25,
        notes: `${(landing.bytesPerRequest / 1024).toFixed(0)} KiB per page (gzip)`,
      },
      {
        name: 'web.landing.plain.throughput',
        what: 'the same landing page asked for without Accept-Encoding (as curl does: no gzip), 10 connections (higher is better)',
        value: plain.rps,
        unit: 'req/s',
        baseline: { what: BASE, value: plainBase.rps },
        ratio: ratio(plain, plainBase),
        notes: `${(plain.bytesPerRequest / 1024).toFixed(0)} KiB per page`,
      },
      {
        name: 'web.landing.p99',
        what: 'landing page p99 latency, 10 connections',
        value: landing.p99,
        unit: 'ms',
        baseline: { what: 'hello-world p99', value: landingBase.p99 },
        ratio: landing.p99 / Math.max(landingBase.p99, 1),
        goal: '< 20 ms',
        met: landing.p99 < 20,
      },
      {
        name: 'web.landing.filtered.throughput',
        what: `landing page filtered (?severity&code&q&sort=count), ${PLUGINS} plugins, ${count} warnings, 10 connections (higher is better)`,
        value: filtered.rps,
        unit: 'req/s',
        baseline: { what: BASE, value: filteredBase.rps },
        ratio: ratio(filtered, filteredBase),
        goal: '>= 0.25x',
        met: ratio(filtered, filteredBase) >= 0.25,
        notes: `${(filtered.bytesPerRequest / 1024).toFixed(0)} KiB per page`,
      },
      {
        name: 'web.landing.filtered.p99',
        what: 'landing page filtered, p99 latency, 10 connections',
        value: filtered.p99,
        unit: 'ms',
        baseline: { what: 'hello-world p99', value: filteredBase.p99 },
        ratio: filtered.p99 / Math.max(filteredBase.p99, 1),
        goal: '<= 20 ms',
        met: filtered.p99 <= 20,
      },
      {
        name: 'web.landing.session.throughput',
        what: "landing page as a signed-in browser gets it (acknowledge and action forms, each with the session's CSRF token), 10 connections (higher is better)",
        value: signedIn.rps,
        unit: 'req/s',
        baseline: { what: BASE, value: signedInBase.rps },
        ratio: ratio(signedIn, signedInBase),
        goal: '>= 0.25x',
        met: ratio(signedIn, signedInBase) >= 0.25,
        notes: `${(signedIn.bytesPerRequest / 1024).toFixed(0)} KiB per page`,
      },
      {
        name: 'web.landing.session.p99',
        what: 'landing page, signed-in session, p99 latency, 10 connections',
        value: signedIn.p99,
        unit: 'ms',
        baseline: { what: 'hello-world p99', value: signedInBase.p99 },
        ratio: signedIn.p99 / Math.max(signedInBase.p99, 1),
        goal: '<= 20 ms',
        met: signedIn.p99 <= 20,
      },
      {
        name: 'web.warnings.throughput',
        what: `/api/v1/warnings of ${count} (first page: 100), 10 connections (higher is better)`,
        value: warnings.rps,
        unit: 'req/s',
        baseline: { what: BASE, value: warningsBase.rps },
        ratio: ratio(warnings, warningsBase),
        goal: '>= 0.25x',
        met: ratio(warnings, warningsBase) >= 0.25,
        notes: `${(warnings.bytesPerRequest / 1024).toFixed(0)} KiB per response`,
      },
      {
        name: 'web.warnings.p99',
        what: '/api/v1/warnings p99 latency, 10 connections',
        value: warnings.p99,
        unit: 'ms',
        baseline: { what: 'hello-world p99', value: warningsBase.p99 },
        ratio: warnings.p99 / Math.max(warningsBase.p99, 1),
        goal: '< 20 ms',
        met: warnings.p99 < 20,
      },
      {
        name: 'web.publish.max',
        what: `slowest landing page request while a scheduler process publishes ${PUBLISHED} plugins`,
        value: publish.max,
        unit: 'ms',
        baseline: { what: 'landing page p99 without a publish', value: landing.p99 },
        ratio: publish.max / Math.max(landing.p99, 1),
        goal: '< 50 ms',
        met: publish.max < 50,
        notes: `p99 ${publish.p99} ms over ${publish.requests} requests; publish (no dry run) took ${published!.ms.toFixed(0)} ms`,
      },
    ]
  } finally {
    for (const c of children) await stop(c)
    rmSync(root, { recursive: true, force: true })
  }
}

/** Signs in with the form, as a browser does, and returns the session cookie. */
async function signIn(url: string): Promise<string> {
  const form = await fetch(`${url}login`)
  const csrf = /app_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1]!
  const res = await fetch(`${url}login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: `app_login_csrf=${csrf}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN, csrf, name: 'Bench' }),
  })
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('app_session='))
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`)
  return cookie.split(';')[0]!
}
