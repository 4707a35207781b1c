import assert from 'node:assert/strict'
import { existsSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { manifest, startCli, tempDir, writePlugin, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

// Each run leaves a line in the file its payload names: what a user sees when a worker runs the event.
const PLUGIN = `import { appendFileSync } from 'node:fs'
import { ScheduledEventManager, ScheduledEventJob } from 'app/plugin'
ScheduledEventManager.register('late.record')(class extends ScheduledEventJob {
  run(ctx) { appendFileSync(ctx.event.payload.file, JSON.stringify({ id: ctx.event.id, pid: process.pid }) + '\\n') }
})
export function load() {}
`
const LISTENING = /^.*"msg":"web listening.*$/m
const SETTLE_MS = 5000

test('worker and web started before the scheduler (systemctl enable --now app@scheduler app@worker app@web) load its first generation without a restart', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  const dir = writePlugin(plugins, 'late-start', manifest('late-start'), { 'index.js': PLUGIN })
  const env = { APP_STORE_WAIT_MS: '120000', APP_ADMIN_TOKEN: 'operator-chosen-token-1234567890' }
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles) await r.stop('SIGKILL')
  })

  // Worker and web first, on an empty data dir: they wait for the store; web is live, not ready.
  const worker = startCli(['--role=worker', '--data-dir', data, '--concurrency', '1'], { cwd: root, env })
  const web = startCli(['--role=web', '--port', '0', '--data-dir', data], { cwd: root, env })
  roles.push(worker, web)
  const url = (JSON.parse((await web.waitFor(LISTENING))[0]) as { url: string }).url
  await worker.waitFor(/waiting for the scheduler to create the plugin store/)
  await web.waitFor(/waiting for the scheduler to create the plugin store/)
  const readyz = async () => (await fetch(`${url}readyz`)).status
  assert.equal(await readyz(), 503)

  // The scheduler creates the store at once but publishes only when the plugin's files have been still for
  // SETTLE_MS: worker and web open the store in between and find no generation to load.
  const now = new Date()
  for (const f of ['plugin.json', 'index.js']) utimesSync(join(dir, f), now, now)
  const scheduler = startCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', plugins], {
    cwd: root,
    env: { ...env, APP_SETTLE_MS: String(SETTLE_MS) },
  })
  roles.unshift(scheduler)
  assert.match(
    (await worker.waitFor(/^.*"msg":"worker started".*$/m))[0],
    /"generation":null/,
    'the worker started before the first publish',
  )
  assert.match((await web.waitFor(/^.*"msg":"web started".*$/m))[0], /"generation":null/, 'web started before the first publish')
  await web.waitFor(/"msg":"web ready"/)
  assert.equal(await readyz(), 503, '/readyz stays 503 while no generation is loaded')

  // Published: both load it, with no restart.
  await scheduler.waitFor(/"msg":"published plugin generation"/, 60_000)
  await waitUntil('/readyz to answer 200', async () => (await readyz()) === 200, 60_000)
  await worker.waitFor(/generation 1 is published: loading it/)

  const trace = join(root, 'trace.jsonl')
  const db = openRuntimeDb(data)
  t.onTestFinished(() => {
    db.close()
  })
  await enqueueJobs(db, [{ eventType: 'late.record', runAt: Date.now(), payload: { file: trace } }])
  const runs = await waitUntil(
    "the worker to run the plugin's event",
    () =>
      existsSync(trace)
        ? readFileSync(trace, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { pid: number })
        : null,
    60_000,
  )
  assert.deepEqual(
    runs.map((r) => r.pid),
    [worker.child.pid],
  )
  assert.doesNotMatch(worker.output() + web.output(), /until it restarts/)
})
