import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli, tempDir } from '../helpers/cli.ts'

const app = (root: string, ...args: string[]) => runCli([...args, '--data-dir', 'data'], { cwd: root })
const json = async (root: string, ...args: string[]) => {
  const r = await app(root, ...args, '--json')
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('resources import upserts good rows and reports bad ones by index and field', async (t) => {
  const root = tempDir(t)
  writeFileSync(
    join(root, 'resources.json'),
    JSON.stringify([
      {
        id: 'i-0a1',
        type: 'instance',
        cloud: 'aws',
        account: '111122223333',
        region: 'us-east-1',
        name: 'web-1',
        state: 'stopped',
        tags: { env: 'prod' },
        properties: { instanceType: 't3.micro' },
      },
      { id: 'i-0a2', type: 'instance', state: 5 },
      { type: 'instance', tags: { env: 1 } },
      { id: 'i-0a3', type: 'instance', stat: 'running' },
    ]),
  )
  const r = await app(root, 'resources', 'import', 'resources.json')
  assert.equal(r.code, 1, 'rejected rows make the exit code 1')
  assert.match(r.stdout, /imported 1 of 4 resource\(s\)/)
  assert.match(r.stderr, /resource #1 \("i-0a2"\): state: expected string; found 5/)
  assert.match(r.stderr, /resource #2: id: expected string; found nothing/)
  assert.match(r.stderr, /resource #2: tags\.env: expected string; found 1/)
  assert.match(r.stderr, /resource #3 \("i-0a3"\): \(row\): unknown field\(s\) "stat"/)
  // Import again with a change: the row is updated, not duplicated.
  writeFileSync(join(root, 'resources.json'), JSON.stringify([{ id: 'i-0a1', type: 'instance', state: 'running' }]))
  assert.equal((await app(root, 'resources', 'import', 'resources.json')).code, 0)
  const list = await json(root, 'resources', 'list')
  assert.deepEqual(
    list.resources.map((x: { id: string; state: string }) => [x.id, x.state]),
    [['i-0a1', 'running']],
  )
  const notArray = join(root, 'obj.json')
  writeFileSync(notArray, '{"id": "x"}')
  const bad = await app(root, 'resources', 'import', 'obj.json')
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /expected a JSON array of resources/)
  const broken = await app(root, 'resources', 'import', 'missing.json')
  assert.equal(broken.code, 2)
  assert.match(broken.stderr, /cannot read resources file missing\.json/)
})

test('bots apply takes JSON or TOML, reports bad bots, and updates existing ones', async (t) => {
  const root = tempDir(t)
  writeFileSync(
    join(root, 'bots.toml'),
    `
[[bots]]
name = "start-stopped-prod"
resourceTypes = ["instance"]
filters = [{ queryId = "custom.filter.stopped", settings = {} }]
action = { uid = "custom.action.start_resource_later", settings = { delaySeconds = 60 } }
schedule = { cron = "0 * * * *", timezone = "UTC" }

[[bots]]
name = "broken"
resourceTypes = ["instance"]
action = { uid = "x" }
schedule = { cron = "every hour" }
`,
  )
  const r = await app(root, 'bots', 'apply', 'bots.toml')
  assert.equal(r.code, 1)
  assert.match(r.stdout, /applied 1 bot\(s\): 1 created, 0 updated/)
  assert.match(r.stderr, /bot #1 \("broken"\): schedule\.cron: expected a cron expression/)
  assert.match(r.stderr, /no plugin store in this data directory yet, so filter and action ids were not checked/)
  writeFileSync(
    join(root, 'bots.json'),
    JSON.stringify([
      { name: 'start-stopped-prod', enabled: false, resourceTypes: ['instance'], filters: [], action: { uid: 'a' } },
      { name: 'other', resourceTypes: ['database'], action: { uid: 'a' }, schedule: { intervalSeconds: 60 } },
    ]),
  )
  const again = await json(root, 'bots', 'apply', 'bots.json')
  assert.deepEqual(again.applied, [
    { name: 'start-stopped-prod', created: false },
    { name: 'other', created: true },
  ])
  const bots = (await json(root, 'bots', 'list')).bots
  assert.deepEqual(
    bots.map((b: { name: string; enabled: boolean }) => [b.name, b.enabled]),
    [
      ['other', true],
      ['start-stopped-prod', false],
    ],
  )
  const broken = join(root, 'broken.toml')
  writeFileSync(broken, '[[bots]\nname=')
  const parse = await app(root, 'bots', 'apply', 'broken.toml')
  assert.equal(parse.code, 2)
  assert.match(parse.stderr, /bots file broken\.toml is not valid TOML/)
})

test('bots run queues a run; events list, show, cancel and retry manage it', async (t) => {
  const root = tempDir(t)
  writeFileSync(join(root, 'bots.json'), JSON.stringify([{ name: 'nightly', resourceTypes: ['instance'], action: { uid: 'a' } }]))
  assert.equal((await app(root, 'bots', 'apply', 'bots.json')).code, 0)
  const missing = await app(root, 'bots', 'run', 'nope')
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no bot named "nope"; bots: nightly/)
  const queued = await json(root, 'bots', 'run', 'nightly')
  assert.equal(queued.eventType, 'app.bot_run')
  assert.equal(queued.status, 'pending')
  const list = await json(root, 'events', 'list')
  assert.equal(list.counts.pending, 1)
  assert.equal(list.events[0].id, queued.id)
  assert.equal((await json(root, 'events', 'show', String(queued.id))).bot, 'nightly')
  const retryPending = await app(root, 'events', 'retry', String(queued.id))
  assert.equal(retryPending.code, 1)
  assert.match(retryPending.stderr, /event \d+ is pending; only failed, cancelled, done or orphaned events can be retried/)
  assert.equal((await json(root, 'events', 'cancel', String(queued.id))).status, 'cancelled')
  assert.equal((await json(root, 'events', 'list', '--status', 'cancelled')).events.length, 1)
  const retried = await json(root, 'events', 'retry', String(queued.id))
  assert.equal(retried.status, 'pending')
  assert.equal(retried.attempts, 0)
  const unknown = await app(root, 'events', 'show', '999')
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /no event with id 999/)
  assert.equal((await app(root, 'events', 'show', 'abc')).code, 2)
  assert.equal((await app(root, 'events', 'list', '--status', 'stuck')).code, 2)
})
