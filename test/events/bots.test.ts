import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { startInstall } from './worker-harness.ts'
import { waitUntil } from '../helpers/wait-until.ts'

const resources = [
  { id: 'i-1', type: 'instance', state: 'stopped', tags: { env: 'prod' } },
  { id: 'i-2', type: 'instance', state: 'running', tags: { env: 'prod' } },
  { id: 'i-3', type: 'instance', state: 'stopped', tags: { env: 'dev' } },
  { id: 'db-1', type: 'database', state: 'stopped', tags: { env: 'prod' } },
]

async function setup(t: Parameters<typeof startInstall>[0]) {
  const install = await startInstall(t, { jobs: { maxAttempts: 1 } })
  writeFileSync(join(install.root, 'resources.json'), JSON.stringify(resources))
  const app = (...args: string[]) => runCli([...args, '--data-dir', 'data'], { cwd: install.root })
  assert.equal((await app('resources', 'import', 'resources.json')).code, 0)
  const applyAndRun = async (bots: unknown[]) => {
    writeFileSync(join(install.root, 'bots.json'), JSON.stringify(bots))
    const applied = await app('bots', 'apply', 'bots.json')
    assert.equal(applied.code, 0, applied.stderr)
    const ids: number[] = []
    for (const b of bots as Array<{ name: string }>) {
      const run = await app('bots', 'run', b.name, '--json')
      assert.equal(run.code, 0, run.stderr)
      ids.push(JSON.parse(run.stdout).id)
    }
    return ids
  }
  return { install, app, applyAndRun }
}

test('a bot run applies all filters to the resources of its types and calls the action as it asks', async (t) => {
  const { install, applyAndRun } = await setup(t)
  await install.startWorker()
  const file = join(install.root, 'actions.jsonl')
  const filters = [
    { queryId: 'test.filter.env', settings: {} },
    { queryId: 'test.filter.stopped', settings: {} },
  ]
  const ids = await applyAndRun([
    { name: 'bulk', resourceTypes: ['instance'], filters, action: { uid: 'test.action.bulk', settings: { file } } },
    {
      name: 'bulk-no-complement',
      resourceTypes: ['instance', 'database'],
      filters,
      action: { uid: 'test.action.bulk_no_complement', settings: { file } },
    },
    {
      name: 'each',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'test.filter.env', settings: { env: 'prod' } }],
      action: { uid: 'test.action.each', settings: { file } },
    },
  ])
  for (const id of ids) assert.equal((await install.waitForStatus(id, ['done', 'failed'])).status, 'done')
  const calls = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  const of = (kind: string) => calls.filter((c) => c.kind === kind)
  // env defaults to "prod" from the filter's settingsConfig; both filters must match.
  assert.deepEqual(of('bulk'), [{ kind: 'bulk', matches: ['i-1'], nonMatches: ['i-2', 'i-3'] }])
  assert.deepEqual(of('bulk-no-complement'), [{ kind: 'bulk-no-complement', matches: ['db-1', 'i-1'], nonMatches: [] }])
  assert.deepEqual(
    of('each')
      .map((c) => c.matches)
      .sort(),
    [['i-1'], ['i-2']],
    'a non-bulk action runs once per match',
  )
})

test('a bot run with ids no plugin registers fails naming them; apply warns about them first', async (t) => {
  const { install, app } = await setup(t)
  await install.startWorker()
  writeFileSync(
    join(install.root, 'bots.json'),
    JSON.stringify([
      { name: 'typo', resourceTypes: ['instance'], filters: [{ queryId: 'test.filter.envv' }], action: { uid: 'test.action.bulkk' } },
    ]),
  )
  const applied = await app('bots', 'apply', 'bots.json')
  assert.equal(applied.code, 0, 'unknown ids are warnings: the plugin may arrive later')
  assert.match(
    applied.stderr,
    /warning: bot "typo": filter "test\.filter\.envv" is not registered by any plugin of generation \d+.*Registered filters: .*test\.filter\.env/,
  )
  assert.match(applied.stderr, /warning: bot "typo": action "test\.action\.bulkk" is not registered/)
  const run = JSON.parse((await app('bots', 'run', 'typo', '--json')).stdout)
  const job = await install.waitForStatus(run.id, ['failed'])
  assert.match(
    job.lastError ?? '',
    /bot "typo" uses filter "test\.filter\.envv" and action "test\.action\.bulkk", which no loaded plugin registers/,
  )
})

test('ScheduledEventTracker writes the events of a block together, or none when the block throws', async (t) => {
  const { install, applyAndRun } = await setup(t)
  await install.startWorker()
  const file = join(install.root, 'unused.jsonl')
  const [good, bad] = await applyAndRun([
    {
      name: 'tracked',
      resourceTypes: ['instance'],
      filters: [{ queryId: 'test.filter.stopped', settings: {} }],
      action: { uid: 'test.action.schedule', settings: { file } },
    },
    {
      name: 'tracked-throws',
      resourceTypes: ['database'],
      filters: [],
      action: { uid: 'test.action.schedule', settings: { file, throwAfter: true } },
    },
  ])
  assert.equal((await install.waitForStatus(good!, ['done', 'failed'])).status, 'done')
  const failed = await install.waitForStatus(bad!, ['done', 'failed'])
  assert.match(failed.lastError ?? '', /the action failed after scheduling 1 event\(s\)/)
  const events = await install.admin.list({ eventType: 'test.record' })
  assert.deepEqual(events.map((e) => [e.bot, e.resource, e.status]).sort(), [
    ['tracked', 'i-1', 'pending'],
    ['tracked', 'i-3', 'pending'],
  ])
  assert.ok(
    events.every((e) => e.owner === 'test-jobs'),
    'events remember the plugin that scheduled them',
  )
})

test('events of a type no loaded plugin registers are orphaned, reported, and run once a worker has the type', async (t) => {
  const install = await startInstall(t, { plugin: false })
  await install.startWorker()
  const [id] = await install.enqueue([{ eventType: 'test.record', owner: 'test-jobs' }])
  assert.equal((await install.waitForStatus(id!, ['orphaned'])).status, 'orphaned')
  const warnings = await waitUntil('an ORPHANED_EVENTS warning', async () => {
    const r = await runCli(['plugins', 'warnings', '--json', '--data-dir', 'data'], { cwd: install.root })
    return (JSON.parse(r.stdout).warnings as Array<{ code: string; message: string }>).find((w) => w.code === 'ORPHANED_EVENTS')
  })
  assert.match(warnings.message, /events of type "test\.record" scheduled by test-jobs are orphaned/)
  const { writeJobsPlugin } = await import('./fixtures/jobs-plugin.ts')
  writeJobsPlugin(join(install.root, 'plugins'))
  await install.scheduler.waitFor(/published generation|generation.*2/, 60_000)
  await install.startWorker()
  assert.equal((await install.waitForStatus(id!, ['done'])).status, 'done')
})
