// The scheduler's side of the operator's requests, in-process on a real store: disable leaves a plugin out of
// every generation (rescans included) until it is enabled; rollback publishes a stored version; each outcome
// is recorded with the request and its audit entry.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'vitest'
import { loadConfig } from '../../src/config/load-config.ts'
import { applyPluginRequests } from '../../src/publish/apply-plugin-requests.ts'
import { createSources } from '../../src/publish/create-sources.ts'
import { readDisabledPlugins } from '../../src/publish/disabled-plugins.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { listAudit } from '../../src/runtime/audit-log.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createSqliteConsole } from '../../src/runtime/sqlite-console.ts'
import { pluginRequest, requestPluginAction, type PluginAction } from '../../src/runtime/plugin-requests.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { manifest, tempDir, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'

async function install(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  for (const name of ['alpha', 'beta']) writePlugin(plugins, name, manifest(name), { 'index.js': 'export function load() {}\n' })
  await publishInProcess(data, plugins)
  const store = await openWritableStore(data)
  const runtime = openRuntimeDb(data)
  t.onTestFinished(async () => {
    runtime.close()
    await store.close()
  })
  const config = loadConfig({ flags: { dataDir: data, pluginsDir: plugins }, env: { APP_SETTLE_MS: '0' } })
  const syncOptions = { store, sources: createSources(config), reason: 'scan' }
  const apply = async (plugin: string, action: PluginAction, version?: string) => {
    const r = requestPluginAction(runtime, { plugin, action, version, by: 'Carol' })
    const requests = createSqliteConsole(runtime).requests
    assert.equal(await applyPluginRequests({ store, requests, syncPass: (extra) => syncPlugins({ ...syncOptions, ...extra }) }), 1)
    return pluginRequest(runtime, r.id)!
  }
  const names = async () => (await store.currentGeneration())!.plugins.map((p) => `${p.name}@${p.version}`)
  // As the scheduler does: a pass that finds files written this very millisecond waits for them to settle.
  const rescan = async () => {
    for (;;) {
      const result = await syncPlugins(syncOptions)
      if (!result.unsettledMs) return result
      await new Promise((r) => setTimeout(r, result.unsettledMs))
    }
  }
  return { plugins, data, store, runtime, apply, names, rescan }
}

test('disable leaves the plugin out of every generation, rescans included, until enable brings it back from its source', async (t) => {
  const i = await install(t)
  const done = await i.apply('alpha', 'disable')
  assert.equal(done.status, 'done')
  assert.match(done.message!, /^disabled alpha 1\.0\.0: generation 2 leaves it out until it is enabled/)
  assert.equal(done.generation, 2)
  assert.deepEqual(await i.names(), ['beta@1.0.0'])
  assert.equal((await readDisabledPlugins(i.store)).alpha!.by, 'Carol')
  // A new version arrives in its folder, and another plugin: the rescan publishes beta's change, not alpha.
  writePlugin(i.plugins, 'alpha', manifest('alpha', { version: '1.1.0' }), { 'index.js': 'export function load() {}\n' })
  writePlugin(i.plugins, 'gamma', manifest('gamma'), { 'index.js': 'export function load() {}\n' })
  await i.rescan()
  assert.deepEqual(await i.names(), ['beta@1.0.0', 'gamma@1.0.0'])
  assert.match((await i.apply('alpha', 'disable')).message!, /alpha was already disabled \(by Carol\)/)

  const enabled = await i.apply('alpha', 'enable')
  assert.equal(enabled.status, 'done')
  assert.match(enabled.message!, /^enabled alpha: generation \d+ holds 1\.1\.0/)
  assert.deepEqual(await i.names(), ['alpha@1.1.0', 'beta@1.0.0', 'gamma@1.0.0'])
  assert.deepEqual(await readDisabledPlugins(i.store), {})
  assert.deepEqual(
    listAudit(i.runtime).entries.map((e) => [e.action, e.plugin, e.outcome]),
    [
      ['enable', 'alpha', 'done'],
      ['disable', 'alpha', 'done'],
      ['disable', 'alpha', 'done'],
    ],
  )
})

test('rollback publishes a stored version and stands until a source changes; a failed or unknown version is refused', async (t) => {
  const i = await install(t)
  writePlugin(i.plugins, 'alpha', manifest('alpha', { version: '1.1.0' }), { 'index.js': 'export function load() {}\n' })
  await i.rescan()
  writePlugin(i.plugins, 'alpha', manifest('alpha', { version: '1.2.0', modules: ['gone.js'] }))
  await i.rescan()
  const current = (await i.store.currentGeneration())!.plugins.find((p) => p.name === 'alpha')!
  assert.deepEqual([current.version, current.rejected?.version], ['1.1.0', '1.2.0'])

  const failed = await i.apply('alpha', 'rollback', '1.2.0')
  assert.equal(failed.status, 'failed')
  assert.match(failed.message!, /alpha 1\.2\.0 failed validation, so it cannot be published; versions to roll back to: 1\.1\.0, 1\.0\.0/)
  assert.match((await i.apply('alpha', 'rollback', '0.1.0')).message!, /alpha 0\.1\.0 is not kept in the store/)
  const back = await i.apply('alpha', 'rollback', '1.0.0')
  assert.equal(back.status, 'done')
  assert.match(back.message!, /rolled alpha back from 1\.1\.0 to 1\.0\.0 in generation \d+/)
  assert.deepEqual(await i.names(), ['alpha@1.0.0', 'beta@1.0.0'])
  await i.rescan() // nothing changed in the sources: the rolled-back set stands
  assert.deepEqual(await i.names(), ['alpha@1.0.0', 'beta@1.0.0'])

  // Disable while rolled back, then enable: it comes back from its source even though the rolled-back set stands.
  await i.apply('beta', 'disable')
  await i.apply('beta', 'enable')
  assert.deepEqual(await i.names(), ['alpha@1.0.0', 'beta@1.0.0'])
  const none = await i.apply('nope', 'disable')
  assert.deepEqual([none.status, none.message], ['failed', 'no plugin named "nope" in generation 6; nothing to disable'])
  assert.equal(listAudit(i.runtime).entries[0]!.outcome, 'failed')
})
