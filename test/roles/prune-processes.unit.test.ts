// The scheduler's tick prunes processes stopped, or silent, for longer than jobs.retentionMs, with their load
// reports: a host that restarts daily does not keep every process it ever ran in runtime.db.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openRuntimeBackend } from '../../src/backend/open-runtime-backend.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { createLogger } from '../../src/log/create-logger.ts'
import { startSchedulerTick } from '../../src/schedules/start-scheduler-tick.ts'
import { tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test("the scheduler's tick prunes a process stopped longer ago than jobs.retentionMs, with its load reports; a live one stays", async (t) => {
  const root = tempDir(t)
  const dataDir = join(root, 'data')
  writeFileSync(join(root, 'app.toml'), '[jobs]\nretentionMs = 200\n')
  const config = loadConfig({ configFile: join(root, 'app.toml'), flags: { dataDir }, env: {} })
  assert.equal(config.jobs.retentionMs, 200)
  const runtime = await openRuntimeBackend(config, 'scheduler')
  t.onTestFinished(() => runtime.close())
  const report = { plugin: 'a', version: '1.0.0', status: 'loaded' as const, durationMs: 1, warnings: [] }
  const old = await runtime.processes.register('worker', { heartbeatMs: 3600_000 })
  await old.reportLoad([report])
  await old.stop()
  const live = await runtime.processes.register('web', { heartbeatMs: 50 })
  t.onTestFinished(() => live.stop())
  await live.reportLoad([report])
  await new Promise((r) => setTimeout(r, 300))

  const tick = startSchedulerTick({ runtime, config, logger: createLogger({ level: 'silent' }), tickMs: 20 })
  t.onTestFinished(() => tick.stop())
  await waitUntil('the stopped process to be pruned', async () =>
    (await runtime.processes.list({ includeStopped: true })).every((p) => p.id !== old.id),
  )
  assert.deepEqual(
    (await runtime.processes.list({ includeStopped: true })).map((p) => p.id),
    [live.id],
  )
  assert.deepEqual(
    (await runtime.processes.loadReports()).map((r) => r.processId),
    [live.id],
  )
})
