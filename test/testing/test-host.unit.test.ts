// The test host of `app/plugin/testing` (DESIGN 5b), each of its calls driving the sample plugin in
// test/fixtures/testing/sample-plugin (TypeScript: a filter, a bot action, an event type, a job, a hook,
// routes, settings, storage) through the real publish, loader, runtime.db, job runner and web app.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { createTestHost, type TestHost } from '../../src/testing/create-test-host.ts'
import { ROOT, tempDir, writePlugin } from '../helpers/cli.ts'

const SAMPLE = join(ROOT, 'test/fixtures/testing/sample-plugin')
const stopped = { id: 'i-1', type: 'instance', state: 'stopped' }
const running = { id: 'i-2', type: 'instance', state: 'running' }

describe('a host on the sample plugin, its settings set', () => {
  let host: TestHost
  beforeAll(async () => {
    host = await createTestHost({ plugin: SAMPLE, settings: { label: 'audited' }, resources: [stopped, running] })
  })
  afterAll(() => host?.close())

  test('publishes and loads the plugin as the scheduler and a worker would: no warning, its load() line in host.logs', () => {
    assert.deepEqual(host.plugin, { name: 'sample-plugin', version: '1.2.0' })
    assert.deepEqual(host.warnings, [])
    assert.deepEqual(
      host.logs.map((l) => [l.level, l.msg, l.plugin, l.version]),
      [['info', 'sample plugin loaded', 'sample-plugin', '1.2.0']],
    )
  })

  test('runBot: the filter picks the stopped instance, the action schedules its event; ids no plugin registers are refused', async () => {
    const run = await host.runBot({
      resourceTypes: ['instance'],
      filters: [{ queryId: 'sample.filter.stopped' }],
      action: { uid: 'sample.action.start_later', settings: { delayHours: 1 } },
    })
    assert.deepEqual(
      run.matches.map((r) => r.id),
      ['i-1'],
    )
    assert.deepEqual(
      run.nonMatches.map((r) => r.id),
      ['i-2'],
    )
    assert.deepEqual(
      run.events.map((e) => [e.eventType, e.resource, e.bot, e.status]),
      [['sample.start', 'i-1', 'test-bot', 'pending']],
    )
    await assert.rejects(
      host.runBot({
        resourceTypes: ['instance'],
        filters: [{ queryId: 'sample.filter.typo' }],
        action: { uid: 'sample.action.start_later' },
      }),
      /bot "test-bot": filter "sample\.filter\.typo" is not registered by any plugin/,
    )
    await assert.rejects(
      host.runBot({ resourceTypes: ['instance'], action: { uid: 'sample.action.start_later', settings: { delayHours: 'soon' } } }),
      /delayHours/,
    )
  })

  test('runDueJobs: nothing before it is due; an hour on, the event starts the instance and the plugin job tags every instance', async () => {
    assert.deepEqual(await host.runDueJobs(), [])
    const runs = await host.runDueJobs({ now: Date.now() + 3600e3 + 60e3 })
    assert.deepEqual(runs.map((r) => [r.eventType, r.outcome]).sort(), [
      ['app.job:sample-plugin:tag-all', 'done'],
      ['sample.start', 'done'],
    ])
    assert.equal((await host.resources.get('i-1'))?.state, 'running')
    assert.deepEqual(
      (await host.resources.find({ type: 'instance' })).map((r) => r.tags.label),
      ['audited', 'audited'],
    )
    assert.equal(typeof (await host.storage.get('last-run')), 'string')
    assert.ok(
      host.logs.some((l) => l.msg === 'started' && l.resource === 'i-1'),
      'the event logged through ctx.log',
    )
  })

  test('fireHook: a delivery runs the hook; a handler that throws rejects with its own error and leaves a RUNTIME_ERROR at its line', async () => {
    const run = await host.fireHook('resource.modified', { resource: { ...running, state: 'stopped' }, previous: running })
    assert.equal(run.outcome, 'done')
    assert.equal(await host.storage.get('state:i-2'), 'stopped')
    await assert.rejects(
      host.fireHook('resource.modified', { resource: { ...running, state: 'terminated' }, previous: running }),
      /cannot follow i-2: it was terminated/,
    )
    const [w] = host.warnings
    assert.equal(w?.code, 'RUNTIME_ERROR')
    assert.match(w!.message, /hook "resource\.modified": its handler threw Error: cannot follow i-2/)
    assert.match(w!.detail ?? '', /sample-plugin\/index\.ts:34:/)
    await assert.rejects(
      host.fireHook('resource.deleted', { resource: running }),
      /has no hooks\.on\("resource\.deleted", handler\); it subscribes to resource\.modified/,
    )
  })

  test('request: routes as the admin by default, 401 without sign-in, a public route answers anyone', async () => {
    const status = await host.request('/plugin/sample-plugin/status')
    assert.equal(status.status, 200)
    assert.deepEqual(await status.json(), { user: 'admin', level: 'high', lastRun: await host.storage.get('last-run') })
    assert.equal((await host.request('status', { signedIn: false })).status, 401)
    const hook = await host.request('webhook', {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json' },
      signedIn: false,
    })
    assert.deepEqual(await hook.json(), { got: { a: 1 }, user: 'anonymous' })
  })
})

test('settings: a required setting left unset is SETTINGS_INVALID and the job fails with PermanentError; settings.set fixes both; a wrong key or type is refused', async (t) => {
  const host = await createTestHost({ plugin: SAMPLE, resources: [stopped] })
  t.onTestFinished(() => host.close())
  assert.deepEqual(
    host.warnings.map((w) => w.code),
    ['SETTINGS_INVALID'],
  )
  const [failed] = await host.runDueJobs({ now: Date.now() + 6 * 60e3 })
  assert.equal(failed?.outcome, 'failed')
  assert.equal(failed?.willRetry, false)
  assert.match(failed?.error ?? '', /not retried \(PermanentError\).*the required setting "label" is not set/s)
  await host.settings.set('label', 'x')
  assert.deepEqual(
    host.warnings.map((w) => w.code),
    ['RUNTIME_ERROR'],
    'only the failed run is left',
  )
  await assert.rejects(
    host.settings.set({ labl: 'x' }),
    /labl: expected one of the settings plugin "sample-plugin" declares: label, level; did you mean "label"\?/,
  )
  await assert.rejects(host.settings.set('level', 'medium'), /level: expected one of "low", "high"|level: expected/)
})

test('close removes the data directory; a host that is closed refuses further calls', async () => {
  const host = await createTestHost({ plugin: SAMPLE, settings: { label: 'x' } })
  assert.ok(existsSync(host.dataDir))
  await host.close()
  assert.equal(existsSync(host.dataDir), false)
  await assert.rejects(host.runDueJobs(), /this test host was closed/)
})

test('a plugin that does not compile is refused with its COMPILE_FAILED at file:line, and leaves no temporary directory', async (t) => {
  const root = tempDir(t, 'app-host-bad-')
  const dir = writePlugin(
    root,
    'broken',
    { name: 'broken', version: '1.0.0', apiVersion: 1, modules: ['index.ts'] },
    { 'index.ts': 'export function load(): void {\n  const x: number = \n}\n' },
  )
  const before = readdirSync(tmpdir()).filter((n) => n.startsWith('app-test-host-')).length
  await assert.rejects(
    createTestHost({ plugin: dir }),
    /plugin "broken" 1\.0\.0 failed to publish, as it would in the scheduler[\s\S]*COMPILE_FAILED: plugin "broken": index\.ts:3:1/,
  )
  assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('app-test-host-')).length, before)
  writeFileSync(join(dir, 'index.ts'), 'export function load(): void { throw new Error("no config") }\n')
  await assert.rejects(createTestHost({ plugin: dir }), /LOAD_FAILED: plugin "broken": load\(\) threw Error: no config/)
})
