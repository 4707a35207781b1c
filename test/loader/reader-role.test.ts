import assert from 'node:assert/strict'
import { test } from 'vitest'
import { configSchema } from '../../src/config/config-schema.ts'
import { createLogger } from '../../src/log/create-logger.ts'
import { startReaderRole } from '../../src/roles/start-reader-role.ts'
import type { Store } from '../../src/store/open-store.ts'
import { installWith, loadReportsOf, publish } from './loader-helpers.ts'

test('worker and web load plugins with the plugin store read-only (a write fails with SQLITE_READONLY), sharing one host in one process', async (t) => {
  const { root, dataDir } = installWith(t, ['fmt-cjs-js', 'fmt-esm-detected'])
  await publish(root)
  const ctx = { config: configSchema.parse({ dataDir, store: { waitMs: 0 } }), logger: createLogger({ level: 'silent' }) }
  const worker = await startReaderRole('worker', ctx)
  t.onTestFinished(async () => {
    await worker.close()
  })
  const web = await startReaderRole('web', ctx)
  t.onTestFinished(async () => {
    await web.close()
  })

  assert.deepEqual(
    worker.plugins.reports().map((r) => [r.plugin, r.status]),
    [
      ['fmt-cjs-js', 'loaded'],
      ['fmt-esm-detected', 'loaded'],
    ],
  )
  assert.equal(web.plugins, worker.plugins, '--role=all runs plugin code once per process')
  const rows = loadReportsOf(dataDir, process.pid)
    .map((r) => `${r.plugin} ${r.role} ${r.status}`)
    .sort()
  assert.deepEqual(rows, [
    'fmt-cjs-js web loaded',
    'fmt-cjs-js worker loaded',
    'fmt-esm-detected web loaded',
    'fmt-esm-detected worker loaded',
  ])
  assert.throws(() => sqliteOf(worker.store).prepare("INSERT INTO meta (key, value) VALUES ('written-by', 'worker')").run(), {
    code: 'SQLITE_READONLY',
  })
  assert.throws(() => sqliteOf(web.store).prepare('DELETE FROM generations').run(), { code: 'SQLITE_READONLY' })

  await web.close()
  assert.ok(worker.plugins.actions.get('fixture.fmt.cjs_js'), 'the host stays loaded while another role of the process uses it')
  await worker.close()
  assert.equal(worker.plugins.actions.get('fixture.fmt.cjs_js'), undefined, 'the last role to stop unloads the plugins')
})

/** On the embedded backend the store is plugins.db: its connection, to try a write through it. */
const sqliteOf = (store: unknown) => (store as Store).sqlite
