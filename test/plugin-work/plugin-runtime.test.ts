import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { runCli, startCli, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { writeTestPlugin, type TraceLine } from './fixtures.ts'

// One install for the whole file: a real scheduler and two real worker processes (2 handler threads each)
// with the harvester, notifier, strict and flaky test plugins.
let root: string
let db: ReturnType<typeof openRuntimeDb>
const roles: RunningRole[] = []
const env = () => ({ APP_SETTLE_MS: '0', TRACE_DIR: root })
const cli = (...args: string[]) => runCli([...args, '--data-dir', 'data'], { cwd: root, env: env() })
const traces = (name: string): TraceLine[] => {
  const file = join(root, `${name}.jsonl`)
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : []
}
/** The list, or null while it is empty (waitUntil takes an empty array for done). */
const some = <T>(list: T[]) => (list.length ? list : null)
const jobsOf = (type: string) => createJobAdmin(db).list({ eventType: type, limit: 1000 })
const resource = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'instance',
  cloud: 'aws',
  region: 'us-east-1',
  name: id,
  state: 'stopped',
  tags: { env: 'prod' },
  ...extra,
})
const importFile = async (rows: unknown[], ...flags: string[]) => {
  writeFileSync(join(root, 'resources.json'), JSON.stringify(rows))
  const r = await cli('resources', 'import', 'resources.json', ...flags)
  assert.equal(r.code, 0, r.stderr)
  return r
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'app-plugin-runtime-'))
  for (const name of ['harvester', 'notifier', 'strict', 'flaky'] as const) writeTestPlugin(join(root, 'plugins'), name)
  writeFileSync(join(root, 'app.toml'), '[jobs]\nmaxAttempts = 2\n')
  mkdirSync(join(root, 'data'))
  db = openRuntimeDb(join(root, 'data'))
  await importFile([resource('i-1'), resource('i-2'), resource('i-3')])
  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env: env() })
  roles.push(scheduler)
  await scheduler.waitFor(/scheduler started/, 60_000)
  for (let i = 0; i < 2; i++) {
    const worker = startCli(['--role=worker', '--data-dir', 'data', '--concurrency', '2'], { cwd: root, env: env() })
    roles.push(worker)
    await worker.waitFor(/handlers ready/, 60_000)
  }
})

// A failure here is about timing between processes: what the roles logged is the first thing to read.
afterEach(({ task }) => {
  if (task.result?.state === 'fail')
    for (const r of roles)
      console.log(`--- ${r.child.spawnargs.slice(2, 3).join(' ')} (last 60 lines)\n${r.output().split('\n').slice(-60).join('\n')}`)
})

afterAll(async () => {
  for (const r of roles.reverse()) await r.stop('SIGKILL')
  db?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('plugin runtime: jobs, hooks, PermanentError (real scheduler and two workers)', () => {
  test('a harvester job runs every interval, exactly once per due time, and writes the resource', async () => {
    await waitUntil(
      '4 harvests done',
      async () => (await jobsOf('app.job:harvester:harvest')).filter((j) => j.status === 'done').length >= 4,
      30_000,
    )
    assert.equal(
      db.prepare(`SELECT count(*) FROM schedules WHERE key = 'app.job:harvester:harvest'`).pluck().get(),
      1,
      'one schedule, though 2 workers x (2 threads + main) loaded the plugin',
    )
    const runs = await jobsOf('app.job:harvester:harvest')
    assert.equal(new Set(runs.map((j) => j.runAt)).size, runs.length, 'one job per due time')
    const done = runs.filter((j) => j.status === 'done').sort((a, b) => a.id - b.id)
    const starts = traces('harvester').filter((x) => x.what === 'start')
    for (const job of done) assert.equal(starts.filter((x) => x.id === job.id).length, 1, `job ${job.id} ran once`)
    // ctx.lastRunAt: when the last successful run started (null while none had finished: the first, or under load).
    const startedAt = new Map(done.map((j) => [j.id, j.startedAt]))
    const earlier = (id: number) => done.filter((j) => j.id < id).map((j) => j.startedAt)
    for (const x of starts.filter((s) => startedAt.has(s.id as number)))
      assert.ok(
        x.lastRunAt === null || earlier(x.id as number).includes(x.lastRunAt as string),
        `run ${x.id}: lastRunAt ${x.lastRunAt} is an earlier run's start`,
      )
    assert.ok(
      done.slice(1).some((j, i) => starts.find((x) => x.id === j.id)?.lastRunAt === done[i]!.startedAt),
      'a run saw the run before it',
    )
    const i1 = await createHostServices(db).resources.get('i-1')
    assert.ok(
      done.some((j) => j.id === i1!.properties.harvestedBy),
      `i-1 carries a harvest: ${JSON.stringify(i1)}`,
    )

    const listed = await cli('events', 'list', '--schedules')
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, /^PLUGIN\s+ID\s+KIND\s+SCHEDULE\s+NEXT RUN\s+LAST RUN\n/)
    assert.match(listed.stdout, /\nharvester\s+harvest\s+job\s+every 1s\s+\d{4}-\d\d-\d\dT\S+Z\s+\d{4}-\d\d-\d\dT\S+Z\n/)
    assert.match(listed.stdout, /\nnotifier\s+tick\s+job\s+every 1s/)
    const json = JSON.parse((await cli('events', 'list', '--schedules', '--json')).stdout)
    assert.deepEqual(json.schedules.find((s: { id: string }) => s.id === 'harvest').schedule, { kind: 'interval', everyMs: 1000 })
  })

  test("resource.modified reaches the notifier for `resources import` and for another plugin's update, never for its own", async () => {
    await importFile([resource('i-2', { state: 'running', properties: { instanceType: 't3.large' } })])
    const heard = await waitUntil('the notifier to hear the import', () =>
      traces('notifier').find((x) => x.id === 'i-2' && x.hook === 'resource.modified'),
    )
    assert.deepEqual(heard.changes, { state: 'running', properties: { instanceType: 't3.large' } })
    assert.equal(heard.previousState, 'stopped')
    assert.equal(heard.by, null)
    await waitUntil('the notifier to hear the harvester', () => traces('notifier').find((x) => x.id === 'i-1' && x.by === 'harvester'))
    // Its own writes (properties.notified, after every delivery) landed but raised nothing for it.
    await waitUntil("the notifier's own mark on i-2", async () => (await createHostServices(db).resources.get('i-2'))!.properties.notified)
    const seen = traces('notifier')
    assert.equal(seen.filter((x) => x.by === 'notifier').length, 0, 'no delivery of its own change')
    assert.ok(
      seen.every(
        (x) =>
          !(x.changes as { properties?: object } | undefined)?.properties ||
          !('notified' in (x.changes as { properties: object }).properties),
      ),
    )
    // Durable jobs, visible in `app events`.
    const events = await cli('events', 'list', '--type', 'app.hook:notifier:resource.modified', '--json')
    assert.ok(
      JSON.parse(events.stdout).events.some((e: { resource: string; status: string }) => e.resource === 'i-2' && e.status === 'done'),
    )
    // The import merged: what the notifier (a plugin) wrote on i-2 is still there after a re-import.
    await importFile([resource('i-2', { state: 'running' })])
    assert.ok((await createHostServices(db).resources.get('i-2'))!.properties.notified, 'a re-import keeps plugin-written properties')
  })

  test('resources import --replace deletes what the file lacks and raises resource.deleted', async () => {
    const r = await importFile([resource('i-1'), resource('i-2', { state: 'running' })], '--replace')
    assert.match(r.stdout, /1 deleted \(not in the file\)/)
    const heard = await waitUntil('resource.deleted for i-3', () =>
      traces('notifier').find((x) => x.hook === 'resource.deleted' && x.id === 'i-3'),
    )
    assert.equal(heard.by, null)
    assert.equal(await createHostServices(db).resources.get('i-3'), null)
  })

  test('PermanentError fails a hook delivery and a bot run at once; a plain error is retried', async () => {
    await importFile([resource('i-4')])
    const [strict] = await waitUntil('the strict hook to fail', async () =>
      some((await jobsOf('app.hook:strict:resource.created')).filter((j) => j.status === 'failed' && j.resource === 'i-4')),
    )
    assert.equal(strict!.attempts, 1)
    assert.match(strict!.lastError ?? '', /not retried \(PermanentError\): PermanentError: queue "orders" does not exist/)
    const [flaky] = await waitUntil('the flaky hook to use its 2 attempts', async () =>
      some((await jobsOf('app.hook:flaky:resource.created')).filter((j) => j.status === 'failed' && j.resource === 'i-4')),
    )
    assert.equal(flaky!.attempts, 2, 'a plain error is retried (jobs.maxAttempts = 2)')
    assert.equal(traces('strict').filter((x) => x.id === 'i-4').length, 1, 'the strict handler ran once')
    const warnings = JSON.parse((await cli('plugins', 'warnings', '--json')).stdout).warnings as Array<{
      code: string
      plugin: string
      message: string
    }>
    assert.ok(
      warnings.some(
        (w) =>
          w.code === 'RUNTIME_ERROR' &&
          w.plugin === 'strict' &&
          /hook "resource\.created": its handler threw .*queue "orders" does not exist/.test(w.message),
      ),
      JSON.stringify(warnings),
    )

    writeFileSync(
      join(root, 'bots.json'),
      JSON.stringify([
        { name: 'publish-orders', resourceTypes: ['instance'], filters: [], action: { uid: 'strict.action.publish', settings: {} } },
      ]),
    )
    assert.equal((await cli('bots', 'apply', 'bots.json')).code, 0)
    assert.equal((await cli('bots', 'run', 'publish-orders')).code, 0)
    const [run] = await waitUntil('the bot run to fail', async () =>
      some((await createJobAdmin(db).list({ bot: 'publish-orders' })).filter((j) => j.status === 'failed')),
    )
    assert.equal(run!.attempts, 1, 'the half-done publish is not resent')
    assert.match(run!.lastError ?? '', /PermanentError/)
  })

  test('a plugin removed from the generation stops its schedule, and it comes back with the plugin', async () => {
    const pluginDir = join(root, 'plugins', 'harvester')
    cpSync(pluginDir, join(root, 'harvester-away'), { recursive: true })
    rmSync(pluginDir, { recursive: true })
    await waitUntil(
      'the harvest schedule to pause',
      async () =>
        JSON.parse((await cli('events', 'list', '--schedules', '--json')).stdout).schedules.find((s: { id: string }) => s.id === 'harvest')
          ?.active === false,
    )
    const count = (await jobsOf('app.job:harvester:harvest')).length
    const ticks = traces('ticks').length
    // The notifier's 1 s job keeps firing meanwhile: three more ticks, and no harvest.
    await waitUntil('three more ticks', () => traces('ticks').length >= ticks + 3, 30_000)
    assert.equal((await jobsOf('app.job:harvester:harvest')).length, count, 'no harvest fired while the plugin is away')
    assert.ok(
      (await jobsOf('app.job:harvester:harvest')).every((j) => j.status !== 'pending' && j.status !== 'orphaned'),
      'no run left waiting for it',
    )
    cpSync(join(root, 'harvester-away'), pluginDir, { recursive: true })
    await waitUntil('a harvest after its return', async () => (await jobsOf('app.job:harvester:harvest')).length > count, 30_000)
  })
})
