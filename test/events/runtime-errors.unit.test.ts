// recordRuntimeError: run-time failures of plugin code, counted per plugin, version, code and message, and
// shown with the load warnings by the report behind `app plugins warnings|show`, /api/v1/warnings and the pages.
import assert from 'node:assert/strict'
import { test } from 'vitest'
import { buildPluginReport } from '../../src/report/plugin-report.ts'
import { MAX_DISTINCT_RUNTIME_ERRORS, recordRuntimeError } from '../../src/runtime/record-runtime-error.ts'
import { pruneRuntimeErrors } from '../../src/runtime/prune-runtime-errors.ts'
import { webFixture } from '../web/web-fixture.ts'

const LANDING = '/settings/integrations/plugins'
const stack = (dir: string) =>
  `Error: boom\n    at run (file://${dir}/cache/${'a'.repeat(64)}/index.js:3:9)\n    at async runEventJob (/app/src/worker/run-event-job.ts:25:3)`

test('run-time errors are counted per plugin version and message and merged into every warning view', async (t) => {
  const f = await webFixture(t)
  type Api = {
    total: number
    warnings: Array<{
      code: string
      plugin: string
      version: string
      message: string
      detail: string
      where: string[]
      count: number
      firstSeen: string
      lastSeen: string
    }>
  }
  const before = await f.json<Api>('/api/v1/warnings?code=RUNTIME_ERROR')
  assert.equal(before.total, 0)
  const message = 'event type "ops.refresh": run(ctx) threw Error: boom'
  const first = new Date(Date.now() - 60_000)
  assert.equal(
    await recordRuntimeError(f.runtime, {
      plugin: 'ops-banner',
      version: '1.0.0',
      message,
      detail: stack(f.data),
      where: 'worker@host-a:11',
      at: first,
    }),
    true,
  )
  await recordRuntimeError(f.runtime, { plugin: 'ops-banner', version: '1.0.0', message, detail: stack(f.data), where: 'worker@host-b:22' })
  await recordRuntimeError(f.runtime, {
    plugin: 'ops-banner',
    version: '1.0.0',
    message: 'event type "ops.refresh": its handler thread crashed (exit code 7) while run(ctx) ran; the job failed',
    where: 'worker@host-a:11',
  })
  // A version no process runs and the store does not publish is history, not shown.
  await recordRuntimeError(f.runtime, { plugin: 'ops-banner', version: '0.9.0', message, where: 'worker@host-a:11' })

  // The API (the snapshot it reads is rebuilt: the recorded errors changed the runtime state it watches).
  const api = await f.json<Api>('/api/v1/warnings?code=RUNTIME_ERROR')
  assert.equal(api.total, 2)
  const threw = api.warnings.find((w) => w.message === message)!
  assert.deepEqual(
    [threw.plugin, threw.version, threw.count, threw.where, threw.firstSeen],
    ['ops-banner', '1.0.0', 2, ['worker@host-b:22'], first.toISOString()],
  )
  assert.ok(threw.lastSeen > threw.firstSeen)
  assert.match(threw.detail, /at run \(ops-banner\/index\.js:3:9\)/, "the stack names the plugin's own file, not the cache directory")
  assert.doesNotMatch(threw.detail, /cache\//)

  // One plugin's page and API entry, the landing page, and the report the CLI prints.
  const detail = await f.json<{ status: string; warnings: Array<{ code: string; count: number }> }>('/api/v1/plugins/ops-banner')
  assert.deepEqual(
    detail.warnings
      .filter((w) => w.code === 'RUNTIME_ERROR')
      .map((w) => w.count)
      .sort(),
    [1, 2],
  )
  assert.equal(detail.status, 'warning')
  assert.match(await f.text(LANDING), /RUNTIME_ERROR[\s\S]*run\(ctx\) threw Error: boom/)
  assert.match(await f.text(`${LANDING}/ops-banner`), /RUNTIME_ERROR/)
  const report = await buildPluginReport(f.store, f.runtime)
  assert.equal(report.warnings.filter((w) => w.code === 'RUNTIME_ERROR').length, 2)

  assert.equal(await pruneRuntimeErrors(f.runtime, new Date(Date.now() + 1000)), 3, 'rows not seen since the cutoff are pruned')
  assert.equal((await f.json<Api>('/api/v1/warnings?code=RUNTIME_ERROR')).total, 0)
})

test('a plugin whose error messages never repeat does not grow the table without bound', async (t) => {
  const f = await webFixture(t)
  for (let i = 0; i < MAX_DISTINCT_RUNTIME_ERRORS + 30; i++) {
    await recordRuntimeError(f.runtime, {
      plugin: 'ops-banner',
      version: '1.0.0',
      message: `event type "x": run(ctx) threw Error: job ${i} failed`,
      where: 'worker@h:1',
    })
  }
  const rows = f.runtime.prepare('SELECT message, count FROM runtime_errors ORDER BY count DESC').all() as Array<{
    message: string
    count: number
  }>
  assert.equal(rows.length, MAX_DISTINCT_RUNTIME_ERRORS + 1)
  assert.match(rows[0]!.message, /more than 50 distinct run-time failures of ops-banner 1\.0\.0/)
  assert.equal(rows[0]!.count, 30)
})
