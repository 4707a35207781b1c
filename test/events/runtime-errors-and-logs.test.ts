// Real plugins at run time, end to end with real scheduler, worker and web processes: a filter, an action and a
// route that throw become RUNTIME_ERROR warnings of their plugin (with the stack in its own files); the plugin's
// `log` and its console calls are JSON lines tagged with plugin and version, from every kind of plugin code; and
// plugin routes are behind the admin sign-in except the paths the plugin made public.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { manifest, runCli, startCli, tempDir, writePlugin, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { writeJobsConfig } from './fixtures/jobs-plugin.ts'

const PLUGIN = `import { QueryRegistry, BotFactoryRegistryWrapper, ScheduledEventManager, Hono, registerApiBlueprint, log } from 'app/plugin'

const registry = new BotFactoryRegistryWrapper()
registry.action({ uid: 'rt.action.throws', bulkAction: true, settingsConfig: [] }, async () => {
  await null
  throw new Error('action boom')
})
registry.action({ uid: 'rt.action.logs', bulkAction: true, settingsConfig: [] }, (bot, settings, matches) => {
  log.warn({ matches: matches.length }, 'log.warn from an action')
  console.error('console.error from an action')
})

export function load() {
  log.info('log.info from load()')
  console.log('console.log from load()')
  QueryRegistry.register({ queryId: 'rt.filter.throws', settingsConfig: [] }, () => { throw new Error('filter boom') })
  QueryRegistry.register({ queryId: 'rt.filter.hangs', settingsConfig: [] }, () => new Promise(() => {}))
  QueryRegistry.register({ queryId: 'rt.filter.loops', settingsConfig: [] }, () => { for (;;) {} })
  QueryRegistry.register({ queryId: 'rt.filter.logs', settingsConfig: [] }, (resource) => {
    log.info({ resource: resource.id }, 'log.info from a filter')
    console.log('console.log from a filter on %s', resource.id)
    return true
  })
  ScheduledEventManager.register('rt.event', (ctx) => {
    ctx.log.info('ctx.log from an event handler')
    console.info('console.info from an event handler')
  })
  registry.load()
  const app = new Hono()
  app.get('/webhook', (c) => c.json({ user: c.get('user') }))
  app.get('/hooks/:id', (c) => c.json({ id: c.req.param('id'), user: c.get('user') }))
  app.get('/me', (c) => {
    log.info('log.info from a route')
    console.log('console.log from a route')
    return c.json({ user: c.get('user') })
  })
  app.get('/boom', () => { throw new Error('route boom') })
  registerApiBlueprint(app, { public: ['/webhook', '/hooks/:id'] })
}
export function unload() { registry.unload() }
`

type Warning = { code: string; plugin: string; version: string; message: string; detail: string | null; where: string[]; count: number }
type Line = Record<string, unknown> & { msg?: string }
const jsonLines = (role: RunningRole): Line[] =>
  role
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Line
      } catch {
        return {}
      }
    })

async function startAll(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  writePlugin(join(root, 'plugins'), 'rt-plugin', manifest('rt-plugin'), { 'index.js': PLUGIN })
  writeJobsConfig(root, { maxAttempts: 1, timeoutMs: 2000 })
  const token = randomBytes(32).toString('base64url')
  const env = { APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: token }
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles.reverse()) await r.stop('SIGKILL')
  })
  const start = (args: string[]) => {
    const r = startCli([...args, '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
    roles.push(r)
    return r
  }
  const scheduler = start(['--role=scheduler'])
  await scheduler.waitFor(/scheduler started/, 60_000)
  const worker = start(['--role=worker'])
  const web = start(['--role=web', '--port', '0'])
  await worker.waitFor(/handlers ready/, 60_000)
  await web.waitFor(/"msg":"web ready"/, 60_000)
  const url = (JSON.parse(/^.*"msg":"web listening.*$/m.exec(web.output())![0]) as { url: string }).url
  const app = async (...args: string[]) => {
    const r = await runCli([...args, '--data-dir', 'data'], { cwd: root })
    assert.equal(r.code, 0, r.stderr)
    return r.stdout
  }
  const runtimeErrors = async () =>
    (JSON.parse(await app('plugins', 'warnings', '--json')).warnings as Warning[]).filter(
      (w) => w.code === 'RUNTIME_ERROR' && w.plugin === 'rt-plugin',
    )
  return { root, token, worker, web, url, app, runtimeErrors }
}

test('a filter, an action and a route that throw are RUNTIME_ERRORs of their plugin; its log and console lines carry plugin and version', async (t) => {
  const s = await startAll(t)
  writeFileSync(
    join(s.root, 'resources.json'),
    JSON.stringify([
      { id: 'i-1', type: 'instance', state: 'stopped' },
      { id: 'i-2', type: 'instance', state: 'running' },
    ]),
  )
  await s.app('resources', 'import', 'resources.json')
  const bots = [
    {
      name: 'rt-filter-throws',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'rt.filter.throws', settings: {} }],
      action: { uid: 'rt.action.logs', settings: {} },
    },
    {
      name: 'rt-action-throws',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'rt.filter.logs', settings: {} }],
      action: { uid: 'rt.action.throws', settings: {} },
    },
    {
      name: 'rt-logs',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'rt.filter.logs', settings: {} }],
      action: { uid: 'rt.action.logs', settings: {} },
    },
    {
      name: 'rt-filter-hangs',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'rt.filter.hangs', settings: {} }],
      action: { uid: 'rt.action.logs', settings: {} },
    },
    {
      name: 'rt-filter-loops',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'rt.filter.loops', settings: {} }],
      action: { uid: 'rt.action.logs', settings: {} },
    },
  ]
  writeFileSync(join(s.root, 'bots.json'), JSON.stringify(bots))
  await s.app('bots', 'apply', 'bots.json')
  const ids: number[] = []
  for (const b of bots) ids.push(JSON.parse(await s.app('bots', 'run', b.name, '--json')).id)
  const db = openRuntimeDb(join(s.root, 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  await enqueueJobs(db, [{ eventType: 'rt.event', runAt: Date.now() }])
  const admin = createJobAdmin(db)
  const status = (id: number) =>
    waitUntil(`bot run ${id} to finish`, async () => {
      const j = await admin.get(id)
      return ['done', 'failed'].includes(j.status) ? j : null
    })
  const [filterRun, actionRun, logsRun, hangRun, loopRun] = [
    await status(ids[0]!),
    await status(ids[1]!),
    await status(ids[2]!),
    await status(ids[3]!),
    await status(ids[4]!),
  ]
  assert.deepEqual(
    [filterRun.status, actionRun.status, logsRun.status, hangRun.status, loopRun.status],
    ['failed', 'failed', 'done', 'failed', 'failed'],
  )
  assert.match(
    loopRun.lastError ?? '',
    /^bot "rt-filter-loops": filter "rt\.filter\.loops" \(plugin rt-plugin 1\.0\.0\): did not return within jobs\.timeoutMs \(2000 ms\) and never yielded/,
  )
  assert.match(
    hangRun.lastError ?? '',
    /^bot "rt-filter-hangs": filter "rt\.filter\.hangs" \(plugin rt-plugin 1\.0\.0\) did not finish within jobs\.timeoutMs \(timed out after 2000 ms\)/,
  )
  assert.match(
    filterRun.lastError ?? '',
    /^bot "rt-filter-throws": filter "rt\.filter\.throws" \(plugin rt-plugin 1\.0\.0\) threw Error: filter boom on resource "i-\d"/,
  )
  assert.match(
    actionRun.lastError ?? '',
    /^bot "rt-action-throws": action "rt\.action\.throws" \(plugin rt-plugin 1\.0\.0\) threw Error: action boom/,
  )

  // Recorded by the worker as warnings of the plugin, with the stack in the plugin's own file.
  const where = `worker@${hostname()}:${s.worker.child.pid}`
  const errors = await waitUntil('the filter and action RUNTIME_ERRORs', async () => {
    const w = await s.runtimeErrors()
    return w.length >= 4 ? w : null
  })
  // A filter that never yields has its thread terminated by the worker's main thread, which still names it.
  const loop = errors.find((w) =>
    w.message.startsWith(
      'bot "rt-filter-loops": filter "rt.filter.loops" did not return within jobs.timeoutMs (2000 ms) and never yielded (a loop?), so its handler thread was terminated',
    ),
  )
  assert.equal(loop?.plugin, 'rt-plugin', JSON.stringify(errors))
  const hang = errors.find((w) =>
    w.message.startsWith('bot "rt-filter-hangs": filter "rt.filter.hangs" did not finish within jobs.timeoutMs (timed out after 2000 ms)'),
  )
  assert.deepEqual([hang?.plugin, hang?.where], ['rt-plugin', [`worker@${hostname()}:${s.worker.child.pid}`]], JSON.stringify(errors))
  const filter = errors.find((w) => w.message === 'bot "rt-filter-throws": filter "rt.filter.throws" threw Error: filter boom')
  const action = errors.find((w) => w.message === 'bot "rt-action-throws": action "rt.action.throws" threw Error: action boom')
  assert.ok(filter && action, JSON.stringify(errors))
  for (const w of [filter, action]) {
    assert.deepEqual([w.plugin, w.version, w.count, w.where], ['rt-plugin', '1.0.0', 1, [where]])
    assert.match(w.detail ?? '', /^Error: \w+ boom\n\s+at .*rt-plugin\/index\.js:\d+:\d+/)
  }

  // The failing action's log line names its plugin.
  const failLine = await waitUntil("the failed action's log line", () =>
    jsonLines(s.worker).find((l) => /action "rt\.action\.throws"/.test(l.msg ?? '')),
  )
  assert.deepEqual([failLine.plugin, failLine.version, failLine.level], ['rt-plugin', '1.0.0', 40])

  // log and console from load(), filters, actions and event handlers: JSON lines tagged with the plugin.
  const tagged = (msg: string | RegExp) =>
    jsonLines(s.worker).find(
      (l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg ?? '')) && l.plugin === 'rt-plugin' && l.version === '1.0.0',
    )
  await waitUntil(
    "the event handler's lines",
    () => tagged('ctx.log from an event handler') && tagged('console.info from an event handler'),
  )
  for (const msg of [
    'log.info from load()',
    'console.log from load()',
    'log.info from a filter',
    /^console\.log from a filter on i-\d$/,
    'log.warn from an action',
    'console.error from an action',
  ]) {
    assert.ok(tagged(msg), `a line "${msg}" tagged plugin rt-plugin, version 1.0.0 in the worker's log:\n${s.worker.output().slice(-3000)}`)
  }
  assert.equal(tagged('console.error from an action')!.level, 50, 'console.error is an error line')
  assert.ok(!/^console\.log from/m.test(s.worker.output()), "no untagged console text in the worker's output")

  // Routes: private ones need the token and see the admin; public ones answer anyone and say who called.
  const get = (path: string, auth = false) =>
    fetch(`${s.url}plugin/rt-plugin${path}`, { headers: auth ? { Authorization: `Bearer ${s.token}` } : {} })
  assert.equal((await get('/me')).status, 401)
  const me = await get('/me', true)
  assert.equal(me.status, 200)
  assert.deepEqual(await me.json(), { user: { kind: 'admin' } })
  const hook = await get('/webhook')
  assert.equal(hook.status, 200)
  assert.deepEqual(await hook.json(), { user: { kind: 'anonymous' } })
  assert.deepEqual(await (await get('/webhook', true)).json(), { user: { kind: 'admin' } })
  assert.deepEqual(await (await get('/hooks/42')).json(), { id: '42', user: { kind: 'anonymous' } })
  assert.equal((await get('/hooks/42/more')).status, 401, 'a public pattern covers exactly its own paths')
  assert.equal((await get('/boom')).status, 401, 'a private route that throws is still private')
  const boom = await get('/boom', true)
  assert.equal(boom.status, 500)
  assert.equal(((await boom.json()) as { error: { code: string } }).error.code, 'PLUGIN_ROUTE_FAILED')
  const webLine = (msg: string) => jsonLines(s.web).find((l) => l.msg === msg && l.plugin === 'rt-plugin' && l.version === '1.0.0')
  assert.ok(webLine('log.info from a route') && webLine('console.log from a route'), s.web.output().slice(-3000))

  // The route's failure is recorded by the web process, with the stack in the plugin's file.
  const route = await waitUntil('the route RUNTIME_ERROR', async () =>
    (await s.runtimeErrors()).find((w) => w.message === 'route GET /boom threw Error: route boom'),
  )
  assert.deepEqual([route.version, route.where], ['1.0.0', [`web@${hostname()}:${s.web.child.pid}`]])
  assert.match(route.detail ?? '', /rt-plugin\/index\.js:\d+:\d+/)
})
