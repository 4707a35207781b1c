import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { writePlugin } from '../helpers/cli.ts'
import { addFixture, installWith, loadCurrent, publish, reportJson, waitUntil } from './loader-helpers.ts'

const lateRegistrar = (name: string, queryId: string) => ({
  'index.js': `const { QueryRegistry } = require('app/plugin')
let timer
exports.load = () => { timer = setTimeout(() => QueryRegistry.register({ queryId: ${JSON.stringify(queryId)} }, () => ${JSON.stringify(name)}), 20) }
exports.unload = () => clearTimeout(timer)
`,
})

test('a registration made from a callback after load() is owned by its plugin; unloading one plugin removes only its own', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, [])
  writePlugin(
    pluginsDir,
    'late-a',
    { name: 'late-a', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
    lateRegistrar('late-a', 'fixture.late.a'),
  )
  writePlugin(
    pluginsDir,
    'late-b',
    { name: 'late-b', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
    lateRegistrar('late-b', 'fixture.late.b'),
  )
  await publish(root)
  const { host, store } = await loadCurrent(t, dataDir)
  await waitUntil('both late filters', () => host.queries.ids().length === 2)
  assert.equal(host.queries.get('fixture.late.a')?.plugin, 'late-a')
  assert.equal(host.queries.get('fixture.late.b')?.plugin, 'late-b')
  assert.deepEqual(host.registered('late-a')?.filters, [
    { queryId: 'fixture.late.a', name: 'fixture.late.a', supportedResources: [], settingsConfig: null },
  ])

  rmSync(join(pluginsDir, 'late-a'), { recursive: true })
  await publish(root)
  await host.reload((await store.currentGenerationId())!)
  assert.deepEqual(host.queries.ids(), ['fixture.late.b'])
  assert.equal(host.registered('late-a'), null)
})

test('a uid registered twice: the first plugin in name order keeps it, even when it arrives later', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, ['dup-b'])
  await publish(root)
  const { host, store } = await loadCurrent(t, dataDir)
  assert.equal(host.queries.get('fixture.dup.shared')?.plugin, 'dup-b')

  // dup-a comes first in name order: when it arrives it takes the uid, and dup-b is told.
  addFixture(pluginsDir, 'dup-a')
  await publish(root)
  assert.deepEqual((await reportJson(root, ['plugins', 'show', 'dup-a'])).warnings, [], 'the dry run of dup-a finds it keeps the uid')
  await host.reload((await store.currentGenerationId())!)
  assert.equal(host.queries.get('fixture.dup.shared')?.plugin, 'dup-a')
  assert.equal(await host.queries.get('fixture.dup.shared')!.fn({} as never, {}), 'dup-a')
  assert.equal(host.queries.get('fixture.dup.own')?.plugin, 'dup-b', 'dup-b keeps what is only its own')
  const b = host.reports().find((r) => r.plugin === 'dup-b')!
  assert.equal(b.status, 'loaded')
  assert.match(
    b.warnings.find((w) => w.code === 'DUPLICATE_UID')?.message ?? '',
    /"fixture\.dup\.shared" is registered by both "dup-a" and "dup-b"; "dup-a" keeps it/,
  )
  assert.deepEqual(
    host.registered('dup-b')?.filters.map((f) => f.queryId),
    ['fixture.dup.own'],
  )

  // A later plugin that claims the uid gets DUPLICATE_UID from the publish dry run already.
  writePlugin(
    pluginsDir,
    'dup-c',
    { name: 'dup-c', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
    {
      'index.js': `const { QueryRegistry } = require('app/plugin')
exports.load = () => {
  QueryRegistry.register({ queryId: 'fixture.dup.c' }, () => true)
  QueryRegistry.register({ queryId: 'fixture.dup.c' }, () => false)
  QueryRegistry.register({ queryId: 'fixture.dup.shared' }, () => 'dup-c')
}
`,
    },
  )
  await publish(root)
  const c = await reportJson(root, ['plugins', 'show', 'dup-c'])
  const messages = c.warnings.filter((w: { code: string }) => w.code === 'DUPLICATE_UID').map((w: { message: string }) => w.message)
  assert.equal(messages.length, 2, JSON.stringify(c.warnings))
  assert.ok(messages.some((m: string) => /"fixture\.dup\.shared" is registered by both "dup-a" and "dup-c"; "dup-a" keeps it/.test(m)))
  assert.ok(messages.some((m: string) => /plugin "dup-c" registers the filter \(QueryRegistry\) "fixture\.dup\.c" twice/.test(m)))
  assert.equal(c.status, 'warning', 'loaded, but needs attention')
  await host.reload((await store.currentGenerationId())!)
  assert.equal(host.queries.get('fixture.dup.shared')?.plugin, 'dup-a')
  assert.equal(
    await host.queries.get('fixture.dup.c')!.fn({} as never, {}),
    true,
    'the first registration of a uid within a plugin is kept',
  )
})

test('DbObjects without a runtime database, and a deprecated name, say what is wrong and how to fix it', async (t) => {
  const { root, dataDir } = installWith(t, ['deprecated-api'])
  await publish(root)
  const { host } = await loadCurrent(t, dataDir)
  const filter = host.queries.get('fixture.deprecated.uses_old_name')!
  assert.equal(await filter.fn({ id: 'r' } as never, {}), true)
  const w = host.reports()[0]!.warnings
  assert.deepEqual(
    w.map((x) => [x.code, x.count]),
    [['DEPRECATED_API', 1]],
    'one warning however often the old name is used',
  )
  assert.match(w[0]!.message, /DivvyDbObjects is deprecated and will be removed in app 2\.0\.0; use DbObjects instead/)
})
