import assert from 'node:assert/strict'
import { cpSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { ROOT, startCli, type RunningRole } from '../helpers/cli.ts'
import { cliJson, installWith, loadReportsOf, publish, reportJson, TEST_LOAD_TIMEOUT_MS, waitUntil } from './loader-helpers.ts'

function startWorker(t: { onTestFinished(fn: () => unknown): void }, root: string, env: Record<string, string> = {}): RunningRole {
  const worker = startCli(['--role=worker', '--data-dir', 'data'], {
    cwd: root,
    env: { APP_LOAD_TIMEOUT_MS: String(TEST_LOAD_TIMEOUT_MS), APP_CONCURRENCY: '1', ...env },
  })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
  })
  return worker
}

test('a worker really loads the sample plugins, reports them in runtime.db, and `plugins show --json` says what each registered and who runs it', async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, [])
  for (const name of readdirSync(join(ROOT, 'plugins'))) cpSync(join(ROOT, 'plugins', name), join(pluginsDir, name), { recursive: true })
  await publish(root)
  const worker = startWorker(t, root)
  await worker.waitFor(/worker started/, 60_000)
  const pid = worker.child.pid!
  const reports = await waitUntil('the worker to report 3 loaded plugins', () => {
    const rows = loadReportsOf(dataDir, pid)
    return rows.length === 3 && rows.every((r) => r.status === 'loaded') ? rows : null
  })
  assert.deepEqual(
    reports.map((r) => [r.plugin, r.version, r.role]),
    [
      ['instance-type-blacklist', '1.2.0', 'worker'],
      ['ops-banner', '1.0.0', 'worker'],
      ['start-resource-later', '1.0.0', 'worker'],
    ],
  )
  assert.deepEqual(
    reports.flatMap((r) => r.warnings),
    [],
  )

  // The one real `app plugins show --json` here; the other reads build the same JSON in this process (reportJson).
  const later = await cliJson(root, ['plugins', 'show', 'start-resource-later'])
  assert.deepEqual(await reportJson(root, ['plugins', 'show', 'start-resource-later']), later, 'reportJson prints what the CLI prints')
  assert.deepEqual(later.registered.actions, [
    {
      uid: 'custom.action.start_resource_later',
      name: 'Start later',
      bulkAction: true,
      acceptsComplement: true,
      settingsConfig: [{ name: 'delaySeconds', type: 'int', default: 43200 }],
    },
  ])
  assert.deepEqual(later.registered.eventTypes, ['custom.start_resource'])
  assert.deepEqual(
    later.processes.map((p: { role: string; pid: number; version: string; status: string }) => [p.role, p.pid, p.version, p.status]),
    [['worker', pid, '1.0.0', 'loaded']],
  )
  const banner = await reportJson(root, ['plugins', 'show', 'ops-banner'])
  assert.deepEqual(banner.registered.routes, ['GET /plugin/ops-banner/status'])
  assert.deepEqual(banner.registered.frontend, ['frontend/init.js', 'frontend/style.css'])
  const blacklist = await reportJson(root, ['plugins', 'show', 'instance-type-blacklist'])
  assert.deepEqual(
    blacklist.registered.filters.map((f: { queryId: string }) => f.queryId),
    ['custom.filter.instance_type_blacklist', 'custom.filter.stopped'],
  )
  assert.equal(await worker.stop(), 0)
})

test('a plugin stuck in a synchronous loop at import is stopped by the dry run, and a worker starts without it', async (t) => {
  const { root, dataDir } = installWith(t, ['sync-loop', 'fmt-cjs-js'])
  await publish(root)
  const { plugins } = await reportJson(root, ['plugins', 'list'])
  const stuck = plugins.find((p: { name: string }) => p.name === 'sync-loop')
  assert.equal(stuck.status, 'error')
  assert.equal(stuck.warnings[0].code, 'LOAD_TIMEOUT')
  assert.match(stuck.warnings[0].message, /importing index\.js did not finish within 3000 ms in the publish dry run/)

  const worker = startWorker(t, root)
  await worker.waitFor(/worker started/, 60_000)
  const rows = await waitUntil('load reports', () => {
    const r = loadReportsOf(dataDir, worker.child.pid!)
    return r.length === 2 ? r : null
  })
  assert.deepEqual(
    rows.map((r) => [r.plugin, r.status]),
    [
      ['fmt-cjs-js', 'loaded'],
      ['sync-loop', 'skipped'],
    ],
  )
  assert.equal(await worker.stop(), 0)
})

test('a load() that never settles in a role is LOAD_TIMEOUT there: the role starts without that plugin and says who saw it', async (t) => {
  const { root, dataDir } = installWith(t, ['role-only-failure', 'fmt-cjs-js'])
  await publish(root)
  assert.equal(
    (await reportJson(root, ['plugins', 'show', 'role-only-failure'])).status,
    'ok',
    'the dry run passes: the failure is in the role only',
  )
  const worker = startWorker(t, root, { FIXTURE_FAIL: 'hang' })
  await worker.waitFor(/worker started/, 60_000)
  const rows = await waitUntil('the failed load report', () => {
    const r = loadReportsOf(dataDir, worker.child.pid!)
    return r.find((x) => x.plugin === 'role-only-failure' && x.status === 'failed') ? r : null
  })
  assert.equal(rows.find((r) => r.plugin === 'fmt-cjs-js')?.status, 'loaded')
  const failed = rows.find((r) => r.plugin === 'role-only-failure')!
  assert.equal(failed.warnings[0]!.code, 'LOAD_TIMEOUT')
  const { warnings } = await reportJson(root, ['plugins', 'warnings'])
  const seen = warnings.find((w: { code: string; plugin: string }) => w.code === 'LOAD_TIMEOUT' && w.plugin === 'role-only-failure')
  assert.ok(seen, JSON.stringify(warnings))
  assert.ok(
    seen.where.some((w: string) => w.startsWith('worker@') && w.endsWith(`:${worker.child.pid}`)),
    `where: ${seen.where}`,
  )
  const shown = await reportJson(root, ['plugins', 'show', 'role-only-failure'])
  assert.equal(shown.status, 'error', 'no live process could load it')
  assert.deepEqual(
    shown.processes.map((p: { role: string; status: string }) => [p.role, p.status]),
    [['worker', 'failed']],
  )
  assert.equal(await worker.stop(), 0)
})

test("an unhandled rejection from plugin code is that plugin's warning and the worker keeps running", async (t) => {
  const { root, dataDir } = installWith(t, ['late-rejection'])
  await publish(root)
  const worker = startWorker(t, root, { FIXTURE_LATE_REJECTION: '1' })
  await worker.waitFor(/worker started/, 60_000)
  const row = await waitUntil("UNHANDLED_ERROR in the worker's load report", () =>
    loadReportsOf(dataDir, worker.child.pid!).find((r) => r.warnings.some((w) => w.code === 'UNHANDLED_ERROR')),
  )
  assert.equal(row.plugin, 'late-rejection')
  assert.equal(row.status, 'loaded')
  assert.match(
    row.warnings.find((w) => w.code === 'UNHANDLED_ERROR')!.message,
    /unhandled promise rejection escaped plugin code: Error: fixture: late rejection from plugin code/,
  )
  // Still alive and answering a signal with a clean shutdown.
  assert.equal(worker.child.exitCode, null)
  assert.equal(await worker.stop(), 0)
})
