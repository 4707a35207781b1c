// TypeScript plugins (DESIGN section 4): compiled once by the scheduler at publish, stored with source maps
// beside their sources, loaded from that output (no compiler at start), every stack naming the plugin's files.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { buildPluginReport } from '../../src/report/plugin-report.ts'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { manifest, tempDir, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { loadCurrent } from '../loader/loader-helpers.ts'

/** The seed's event type in TypeScript: a class decorator, an enum, and a second module that throws on line 5. */
export const SEED_TS: Record<string, string> = {
  'index.ts': `import { ScheduledEventJob, ScheduledEventManager, type EventContext } from 'app/plugin'
import { Priority, startResource } from './lib/x.js'

@ScheduledEventManager.register('custom.start_resource')
class StartResourceJob extends ScheduledEventJob {
  override async run(ctx: EventContext): Promise<void> {
    startResource(ctx.event.payload as Record<string, unknown>, Priority.High)
  }
}

export function load(): void {}
`,
  'lib/x.ts': `export enum Priority { Low = 1, High = 2 }

export function startResource(payload: Record<string, unknown>, priority: Priority): void {
  payload.started = Priority[priority]
  if (payload.fail) throw new Error('cannot start ' + String(payload.id))
}
`,
}

function install(t: { onTestFinished(fn: () => unknown): void }) {
  const root = tempDir(t, 'app-ts-')
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  mkdirSync(plugins)
  return { root, plugins, data, publish: () => publishInProcess(data, plugins) }
}

const event = (payload: Record<string, unknown>) =>
  ({
    event: { id: 1, eventType: 'custom.start_resource', description: null, bot: null, resource: null, payload, attempt: 1 },
    resources: [],
    resource: null,
    log: console,
    signal: new AbortController().signal,
  }) as never

test('a TypeScript plugin (decorator, enum, a second module) is compiled once at publish and runs from the stored output; its stacks name lib/x.ts:5', async (t) => {
  const s = install(t)
  writePlugin(s.plugins, 'ts-seed', manifest('ts-seed', { modules: ['index.ts'] }), SEED_TS)
  const first = await s.publish()
  assert.equal(first.changed, true)

  const store = await openReadonlyStore(s.data)
  t.onTestFinished(() => store.close())
  const entry = (await store.currentGeneration())!.plugins[0]!
  assert.equal(entry.status, 'ok', JSON.stringify(entry.warnings))
  // The stored bundle keeps the sources and adds the compiled files (with maps) under one content address.
  const paths = (await store.bundle(entry.bundleSha256))!.files.map((f) => f.path).sort()
  assert.deepEqual(paths, [
    '.app-build/index.ts.js',
    '.app-build/index.ts.js.map',
    '.app-build/lib/x.ts.js',
    '.app-build/lib/x.ts.js.map',
    'index.ts',
    'lib/x.ts',
    'plugin.json',
  ])
  assert.notEqual(entry.sourceSha256, entry.bundleSha256)
  assert.deepEqual(entry.registered?.eventTypes, ['custom.start_resource'], 'the dry run loaded the compiled output')

  const { host } = await loadCurrent(t, s.data)
  const job = host.eventTypes.get('custom.start_resource')
  assert.equal(job?.plugin, 'ts-seed')
  const payload: Record<string, unknown> = { id: 'i-1' }
  await job!.run(event(payload))
  assert.equal(payload.started, 'High', 'the enum compiled to its values')

  const thrown = await job!.run(event({ id: 'i-2', fail: true })).then(
    () => null,
    (e: Error) => e,
  )
  assert.match(
    String(thrown?.stack),
    /cannot start i-2\n\s+at startResource \(ts-seed\/lib\/x\.ts:5:\d+\)\n\s+at StartResourceJob\.run \(ts-seed\/index\.ts:7:\d+\)/,
  )
  assert.doesNotMatch(String(thrown?.stack), /data\/cache|\.app-build/)

  // Unchanged sources: found by the tree the source offers, not compiled or published again.
  const again = await s.publish()
  assert.equal(again.changed, false)
  assert.equal(again.generation, first.generation)
})

test('a compile error is COMPILE_FAILED naming file, line and column; a failed update keeps the last good version (UPDATE_REJECTED)', async (t) => {
  const s = install(t)
  writePlugin(s.plugins, 'ts-seed', manifest('ts-seed', { modules: ['index.ts'] }), SEED_TS)
  await s.publish()
  writePlugin(s.plugins, 'ts-seed', manifest('ts-seed', { version: '2.0.0', modules: ['index.ts'] }), {
    'lib/x.ts': `export enum Priority { Low = 1, High = 2 }\n\nexport function startResource(payload: Record<string, unknown>, priority: Priority): void {\n  payload.started = = Priority[priority]\n}\n`,
  })
  await s.publish()
  const store = await openReadonlyStore(s.data)
  t.onTestFinished(() => store.close())
  const report = await buildPluginReport(store)
  const plugin = report.plugins[0]!
  assert.equal(plugin.version, '1.0.0', 'the last good version stays')
  const compile = plugin.warnings.find((w) => w.code === 'COMPILE_FAILED')
  assert.ok(compile, JSON.stringify(plugin.warnings))
  assert.equal(compile.severity, 'error')
  assert.equal(compile.version, '2.0.0')
  assert.match(compile.message, /lib\/x\.ts:4:21: Unexpected "="/)
  assert.match(compile.detail!, /^ts-seed\/lib\/x\.ts:4:21: error: Unexpected "="\n\s+payload\.started = = Priority\[priority\]\n\s+\^/)
  assert.match(plugin.warnings.find((w) => w.code === 'UPDATE_REJECTED')!.message, /rejected, so 1\.0\.0 stays loaded: COMPILE_FAILED/)
})

test("imports other than app/plugin, Node built-ins and the plugin's own files fail at publish with MODULE_NOT_FOUND, even where node_modules could resolve them", async (t) => {
  const s = install(t)
  // A package Node would find from the data dir: it must not count.
  for (const pkg of ['lodash', 'hono']) {
    mkdirSync(join(s.root, 'node_modules', pkg), { recursive: true })
    writeFileSync(
      join(s.root, 'node_modules', pkg, 'package.json'),
      JSON.stringify({ name: pkg, main: 'index.js', exports: { '.': './index.js', './html': './index.js' } }),
    )
    writeFileSync(join(s.root, 'node_modules', pkg, 'index.js'), 'module.exports = { html: () => "" }')
  }
  writePlugin(s.plugins, 'ts-lodash', manifest('ts-lodash', { modules: ['index.ts'] }), {
    'index.ts': `import 'node:fs'\nimport 'lodash'\nexport function load(): void {}\n`,
  })
  writePlugin(s.plugins, 'js-hono', manifest('js-hono'), {
    'index.js': `import { html } from 'hono/html'\nexport function load() { html\`x\` }\n`,
  })
  writePlugin(s.plugins, 'ts-vendored', manifest('ts-vendored', { modules: ['index.ts'] }), {
    'index.ts': `import pad from 'left-pad'\nimport { padded } from './lib/pad'\nexport function load(): void { pad(padded, 3) }\n`,
    'lib/pad.ts': `export const padded: string = 'x'\n`,
    'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', main: 'index.js' }),
    'node_modules/left-pad/index.js': 'module.exports = (s, n) => String(s).padStart(n)',
  })
  await s.publish()
  const store = await openReadonlyStore(s.data)
  t.onTestFinished(() => store.close())
  const byName = Object.fromEntries((await store.currentGeneration())!.plugins.map((p) => [p.name, p]))

  const ts = byName['ts-lodash']!
  assert.equal(ts.status, 'error')
  assert.deepEqual(
    ts.warnings.map((w) => w.code),
    ['MODULE_NOT_FOUND'],
  )
  assert.match(
    ts.warnings[0]!.message,
    /index\.ts:2:8 imports "lodash", a package the plugin does not contain\. .*Bundle lodash into the plugin .*or use what app\/plugin re-exports \(Hono, html\)/,
  )
  assert.equal(ts.warnings[0]!.detail, 'ts-lodash/index.ts:2:8')

  const js = byName['js-hono']!
  assert.equal(js.status, 'error')
  assert.deepEqual(
    js.warnings.map((w) => w.code),
    ['MODULE_NOT_FOUND'],
  )
  assert.match(
    js.warnings[0]!.message,
    /js-hono\/index\.js imports "hono\/html", a package the plugin does not contain\. .*use what app\/plugin re-exports \(Hono, html\)/,
  )

  // What the plugin carries itself is its own: a bundled package and an extensionless TypeScript import.
  assert.equal(byName['ts-vendored']!.status, 'ok', JSON.stringify(byName['ts-vendored']!.warnings))
})

test('plain JavaScript plugins get source-true stacks too: <plugin>/<file>:<line>, never a cache path', async (t) => {
  const s = install(t)
  writePlugin(s.plugins, 'js-throws', manifest('js-throws'), {
    'index.js': `import { helper } from './lib/helper.js'\n\nexport function load() {\n  helper()\n}\n`,
    'lib/helper.js': `export function helper() {\n  throw new TypeError('bad settings')\n}\n`,
  })
  await s.publish()
  const store = await openReadonlyStore(s.data)
  t.onTestFinished(() => store.close())
  const failed = (await store.currentGeneration())!.plugins[0]!.warnings.find((w) => w.code === 'LOAD_FAILED')
  assert.ok(failed)
  assert.match(
    failed.detail!,
    /TypeError: bad settings\n\s+at helper \(js-throws\/lib\/helper\.js:2:9\)\n\s+at load \(js-throws\/index\.js:4:3\)/,
  )
  assert.doesNotMatch(failed.detail!, /cache/)
})

test('.cts (CommonJS, an extensionless require, parameter properties), .mts (a namespace) and .tsx modules compile and load', async (t) => {
  const s = install(t)
  writePlugin(s.plugins, 'ts-flavours', manifest('ts-flavours', { modules: ['index.cts', 'b.mts', 'c.tsx'] }), {
    'index.cts': `const { QueryRegistry } = require('app/plugin')\nconst helper = require('./helper')\nclass Counter { constructor(private n: number) {} get(): number { return this.n } }\nexports.load = () => { QueryRegistry.register({ queryId: 'flavour.cts' }, () => new Counter(helper.one).get() === 1) }\n`,
    'helper.cts': `module.exports = { one: 1 as number }\n`,
    'b.mts': `import { QueryRegistry } from 'app/plugin'\nnamespace Limits { export const max = 2 }\nQueryRegistry.register({ queryId: 'flavour.mts' }, () => Limits.max === 2)\n`,
    'c.tsx': `import { QueryRegistry } from 'app/plugin'\nconst three: number = 3\nQueryRegistry.register({ queryId: 'flavour.tsx' }, () => three === 3)\n`,
  })
  await s.publish()
  const { host } = await loadCurrent(t, s.data)
  assert.deepEqual(
    host.reports().map((r) => [r.plugin, r.status, r.warnings]),
    [['ts-flavours', 'loaded', []]],
  )
  for (const id of ['flavour.cts', 'flavour.mts', 'flavour.tsx']) assert.equal(await host.queries.get(id)?.fn({} as never, {}), true, id)
})
