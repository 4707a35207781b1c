import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'

// A plugin whose import and load() use everything that writes (DESIGN 5b): in the dry run each records what
// it would do, writes nothing and throws for nothing; `host` says where it runs.
const INDEX = `import { appendFileSync } from 'node:fs'
import { DbObjects, ScheduledEventTracker, Schedule, jobs, hooks, storage, host } from 'app/plugin'
jobs.schedule('harvest', Schedule.interval({ minutes: 2 }), async () => {})
hooks.on('resource.modified', async () => {})
hooks.on('resource.deleted', async () => {})
export async function load() {
  appendFileSync(process.env.HOST_TRACE, JSON.stringify(host) + '\\n')
  await storage.set('seq-token', 'abc', { ttlMs: 3600e3 })
  const back = await storage.get('seq-token')
  const listed = await storage.list('seq-')
  await ScheduledEventTracker.run((tracker) => tracker.scheduleBotEvent({ bot: 'b', resource: 'i-1', description: 'x', eventType: 'custom.x', scheduleData: Schedule.once(new Date()) }))
  await DbObjects.resources.create({ id: 'i-new', type: 'instance' })
  const updated = await DbObjects.resources.update('i-missing', { state: 'running' })
  await DbObjects.resources.delete('i-new')
  appendFileSync(process.env.HOST_TRACE, JSON.stringify({ back, listed, state: updated.state }) + '\\n')
}
`

test('plugins sync on a fresh data dir publishes a plugin that writes in load(): the dry run records, writes nothing, throws nothing', async (t) => {
  const root = tempDir(t)
  writePlugin(join(root, 'plugins'), 'writer', manifest('writer'), { 'index.js': INDEX })
  const trace = join(root, 'host.jsonl')
  const env = { APP_SETTLE_MS: '0', HOST_TRACE: trace, APP_LOG_LEVEL: 'info' }
  const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  assert.equal(sync.code, 0, sync.stderr)
  assert.match(sync.stdout, /published generation 1 \(1 plugins\)/)
  assert.match(sync.stderr, /dry run: writes recorded, not made/)
  for (const call of [
    'storage.set',
    'ScheduledEventTracker.run',
    'DbObjects.resources.create',
    'DbObjects.resources.update',
    'DbObjects.resources.delete',
  ])
    assert.ok(sync.stderr.includes(`"call":"${call}"`), `${call} recorded: ${sync.stderr}`)
  assert.equal(existsSync(join(root, 'data', 'runtime.db')), false, 'the dry run created no runtime database')
  const [hostSeen, seen] = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.deepEqual(hostSeen, { role: 'scheduler', dryRun: true, version: hostSeen.version, dataDir: join(root, 'data') })
  assert.deepEqual(seen, { back: 'abc', listed: ['seq-token'], state: 'running' }, 'what load() set it reads back within the dry run')

  const show = await runCli(['plugins', 'show', 'writer', '--json', '--data-dir', 'data'], { cwd: root })
  const shown = JSON.parse(show.stdout)
  assert.equal(shown.status, 'ok')
  assert.deepEqual(shown.warnings, [])
  assert.deepEqual(shown.registered.jobs, [{ id: 'harvest', schedule: { kind: 'interval', everyMs: 120_000 } }])
  assert.deepEqual(shown.registered.hooks, ['resource.modified', 'resource.deleted'])
  const db = openRuntimeDb(join(root, 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  assert.deepEqual(await createHostServices(db).resources.find(), [])
  assert.equal(db.prepare('SELECT count(*) FROM jobs').pluck().get(), 0)
  assert.equal(db.prepare('SELECT count(*) FROM plugin_storage').pluck().get(), 0)

  // With a runtime.db there, a one-shot sync records the generation's jobs and hook subscriptions (once, by the
  // publisher), so an import raises deliveries before any scheduler runs.
  assert.equal((await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })).code, 0)
  const schedules = JSON.parse(
    (await runCli(['events', 'list', '--schedules', '--json', '--data-dir', 'data'], { cwd: root })).stdout,
  ).schedules
  assert.deepEqual(
    schedules.map((x: { plugin: string; id: string; active: boolean }) => [x.plugin, x.id, x.active]),
    [['writer', 'harvest', true]],
  )
  writeFileSync(join(root, 'r.json'), JSON.stringify([{ id: 'i-1', type: 'instance', state: 'stopped' }]))
  await runCli(['resources', 'import', 'r.json', '--data-dir', 'data'], { cwd: root })
  writeFileSync(join(root, 'r.json'), JSON.stringify([{ id: 'i-1', type: 'instance', state: 'running' }]))
  await runCli(['resources', 'import', 'r.json', '--data-dir', 'data'], { cwd: root })
  assert.deepEqual(db.prepare('SELECT event_type, resource FROM jobs').all(), [
    { event_type: 'app.hook:writer:resource.modified', resource: 'i-1' },
  ])
})

test('app plugins storage <name> lists what a plugin keeps, and --clear removes it', async (t) => {
  const root = tempDir(t)
  const db = openRuntimeDb(join(root, 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  const services = createHostServices(db)
  await services.storage!.set('notifier', 'seq-token', 'abc', { ttlMs: 3600e3 })
  await services.storage!.set('notifier', 'cursor', { page: 3 })
  await services.storage!.set('other', 'k', 1)
  const listed = await runCli(['plugins', 'storage', 'notifier', '--data-dir', 'data'], { cwd: root })
  assert.equal(listed.code, 0, listed.stderr)
  assert.match(
    listed.stdout,
    /^KEY\s+BYTES\s+EXPIRES\s+UPDATED\s+VALUE\ncursor\s+16\s+-\s+\S+\s+\{"page":3\}\nseq-token\s+14\s+\d{4}-\S+\s+\S+\s+"abc"\n\n2 key\(s\), 30 of 10485760 bytes/,
  )
  const json = JSON.parse((await runCli(['plugins', 'storage', 'notifier', '--json', '--data-dir', 'data'], { cwd: root })).stdout)
  assert.deepEqual(
    json.keys.map((k: { key: string; value: unknown }) => [k.key, k.value]),
    [
      ['cursor', { page: 3 }],
      ['seq-token', 'abc'],
    ],
  )
  assert.equal(json.limitBytes, 10485760)
  const cleared = await runCli(['plugins', 'storage', 'notifier', '--clear', '--data-dir', 'data'], { cwd: root })
  assert.match(cleared.stdout, /cleared 2 key\(s\) \(30 bytes\) of plugin "notifier"/)
  assert.match(
    (await runCli(['plugins', 'storage', 'notifier', '--data-dir', 'data'], { cwd: root })).stdout,
    /plugin "notifier" stores nothing/,
  )
  assert.equal(await services.storage!.get('other', 'k'), 1, 'other plugins keep theirs')
})
