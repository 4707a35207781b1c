import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { startCli, writePlugin } from '../helpers/cli.ts'
import { installWith, loadCurrent, loadReportsOf, publish, waitUntil } from './loader-helpers.ts'

const log: string[] = []
;(globalThis as Record<string, unknown>).__swapLog = log

/** A plugin with a filter and an event type that both say which version answered. */
function writeSwap(pluginsDir: string, version: string, tag: string): void {
  writePlugin(
    pluginsDir,
    'swap',
    { name: 'swap', version, apiVersion: 1, modules: ['index.js'] },
    {
      'index.js': `const { QueryRegistry, ScheduledEventManager, ScheduledEventJob } = require('app/plugin')
const TAG = ${JSON.stringify(tag)}
ScheduledEventManager.register('fixture.swap.event')(class extends ScheduledEventJob {
  async run(ctx) { ctx.event.payload.ranBy = TAG }
})
exports.load = () => {
  if (process.env.SWAP_FAIL === TAG) throw new Error('fixture: ' + TAG + ' cannot load here')
  QueryRegistry.register({ queryId: 'fixture.swap.filter' }, () => TAG)
  globalThis.__swapLog?.push('load ' + TAG)
}
exports.unload = () => { globalThis.__swapLog?.push('unload ' + TAG) }
`,
    },
  )
}

const runEvent = async (host: Awaited<ReturnType<typeof loadCurrent>>['host']) => {
  const payload: Record<string, unknown> = {}
  await host.eventTypes.get('fixture.swap.event')!.run({
    event: { id: 1, eventType: 'fixture.swap.event', description: null, bot: null, payload, attempt: 1 },
    resources: [],
    log: console as never,
    signal: new AbortController().signal,
  })
  return payload.ranBy
}

test('hot reload replaces an event handler and a filter; unchanged plugins stay; a failing new version keeps the old one running', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, ['fmt-cjs-js'])
  writeSwap(pluginsDir, '1.0.0', 'v1')
  await publish(root)
  const { host, store } = await loadCurrent(t, dataDir)
  const filter = () => host.queries.get('fixture.swap.filter')!.fn({} as never, {})
  assert.equal(filter(), 'v1')
  assert.equal(await runEvent(host), 'v1')
  const cjsBefore = host.actions.get('fixture.fmt.cjs_js')

  writeSwap(pluginsDir, '1.1.0', 'v2')
  await publish(root)
  const changed: string[] = []
  host.onChange(() => changed.push('changed'))
  const result = await host.reload((await store.currentGenerationId())!)
  assert.deepEqual(result, { generation: 2, loaded: ['swap'], unloaded: ['swap'], failed: [] })
  assert.equal(filter(), 'v2')
  assert.equal(await runEvent(host), 'v2')
  assert.equal(host.queries.get('fixture.swap.filter')!.version, '1.1.0')
  assert.equal(host.actions.get('fixture.fmt.cjs_js'), cjsBefore, 'an unchanged plugin is not reloaded')
  // The new version loads (staged) first, then the old one is unloaded, then the new registrations apply.
  assert.deepEqual(log, ['load v1', 'load v2', 'unload v1'])
  assert.ok(changed.length >= 1)
  assert.equal(host.generation, 2)

  // 1.2.0 passes the dry run (another process) but cannot load here: 1.1.0 keeps running, with a warning.
  writeSwap(pluginsDir, '1.2.0', 'v3')
  await publish(root)
  process.env.SWAP_FAIL = 'v3'
  t.onTestFinished(() => {
    delete process.env.SWAP_FAIL
  })
  const failed = await host.reload((await store.currentGenerationId())!)
  assert.deepEqual(failed.failed, ['swap'])
  assert.equal(filter(), 'v2')
  assert.equal(await runEvent(host), 'v2')
  const report = host.reports().find((r) => r.plugin === 'swap')!
  assert.equal(report.status, 'loaded')
  assert.equal(report.version, '1.1.0')
  const w = report.warnings.find((x) => x.code === 'LOAD_FAILED')
  assert.ok(w, JSON.stringify(report.warnings))
  assert.equal(w.severity, 'warning')
  assert.equal(w.version, '1.2.0')
  assert.match(w.message, /^version 1\.2\.0 failed to load, so 1\.1\.0 keeps running: .*v3 cannot load here/)

  // Removed from the store: unloaded, and its registrations go with it.
  rmSync(join(pluginsDir, 'swap'), { recursive: true })
  await publish(root)
  const removed = await host.reload((await store.currentGenerationId())!)
  assert.deepEqual(removed.unloaded, ['swap'])
  assert.equal(host.queries.get('fixture.swap.filter'), undefined)
  assert.equal(host.eventTypes.get('fixture.swap.event'), undefined)
  assert.deepEqual(host.eventTypes.ids(), [])
  assert.equal(host.reports().find((r) => r.plugin === 'swap')?.status, 'unloaded')
})

test('unloading a plugin that leaves a timer running is UNLOAD_LEAK, and what it registers afterwards is refused', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, ['unload-leak'])
  await publish(root)
  const { host, store } = await loadCurrent(t, dataDir, { trackHandles: true })
  assert.ok(host.queries.get('fixture.leak.filter'))
  await waitUntil('the interval to register late filters', () => host.queries.ids().some((id) => id.startsWith('fixture.leak.late_')))
  rmSync(join(pluginsDir, 'unload-leak'), { recursive: true })
  await publish(root)
  await host.reload((await store.currentGenerationId())!)
  assert.deepEqual(host.queries.ids(), [], 'its filters, including those registered from the timer, are gone')
  const report = host.reports().find((r) => r.plugin === 'unload-leak')!
  assert.equal(report.status, 'unloaded')
  assert.ok(
    report.warnings.some((w) => w.code === 'UNLOAD_LEAK' && /left 1 timer/.test(w.message)),
    JSON.stringify(report.warnings),
  )
  await waitUntil('a refused late registration', () =>
    host
      .reports()
      .find((r) => r.plugin === 'unload-leak')!
      .warnings.some((w) => w.code === 'UNLOAD_LEAK' && /after it was unloaded/.test(w.message)),
  )
  assert.deepEqual(host.queries.ids(), [])
})

test('a worker run with --reload loads a newly published version; one without says a restart will', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, [])
  writeSwap(pluginsDir, '1.0.0', 'v1')
  const env = { APP_SETTLE_MS: '100', APP_CONCURRENCY: '1' }
  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/scheduler started/, 60_000)
  const reloading = startCli(['--role=worker', '--data-dir', 'data', '--reload'], { cwd: root, env })
  const plain = startCli(['--role=worker', '--data-dir', 'data'], { cwd: root, env })
  t.onTestFinished(async () => {
    await reloading.stop('SIGKILL')
  })
  t.onTestFinished(async () => {
    await plain.stop('SIGKILL')
  })
  await reloading.waitFor(/worker started/, 60_000)
  await plain.waitFor(/worker started/, 60_000)

  writeSwap(pluginsDir, '1.1.0', 'v2')
  await reloading.waitFor(/plugins reloaded/, 60_000)
  await waitUntil('the reloading worker to report 1.1.0', () =>
    loadReportsOf(dataDir, reloading.child.pid!).find((r) => r.plugin === 'swap' && r.version === '1.1.0' && r.status === 'loaded'),
  )
  await plain.waitFor(/generation 2 is published; this worker runs generation 1 until it restarts/, 60_000)
  assert.equal(loadReportsOf(dataDir, plain.child.pid!).find((r) => r.plugin === 'swap')?.version, '1.0.0')
  for (const role of [reloading, plain, scheduler]) assert.equal(await role.stop(), 0)
})
