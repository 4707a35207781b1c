// The resource inventory (Inventory port) on both backends: what `app resources import`, plugins'
// DbObjects.resources and bot runs see and change. On PostgreSQL plugins and imports write as the worker's
// database role and the web's reads, as in production; hook subscriptions are set by the scheduler's sync.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import type { Inventory } from '../../src/resources/inventory-port.ts'
import { createPostgresInventory } from '../../src/resources/postgres-inventory.ts'
import { createSqliteInventory } from '../../src/resources/sqlite-inventory.ts'
import { createPostgresSchedules } from '../../src/schedules/postgres-schedules.ts'
import { createSqliteSchedules } from '../../src/schedules/sqlite-schedules.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

const inventoryOf = (b: RuntimeBackend, role: DbRoleName = 'worker'): Inventory =>
  b.kind === 'sqlite' ? createSqliteInventory(role === 'worker' ? b.db : b.open()) : createPostgresInventory(b.pools[role])

/** Plugins subscribed to hooks, as the scheduler writes them when the generation changes. */
async function subscribe(b: RuntimeBackend, hooks: Record<string, string[]>) {
  const schedules = b.kind === 'sqlite' ? createSqliteSchedules(b.db) : createPostgresSchedules(b.pools.scheduler)
  const plugins = Object.entries(hooks).map(([name, list]) => ({ name, status: 'ok', registered: { hooks: list } }))
  await schedules.syncRegistrations({ id: 1, plugins })
}

/** The queued hook deliveries, oldest first. */
async function hookJobs(b: RuntimeBackend) {
  const sql = `SELECT event_type, owner, resource, payload FROM $jobs WHERE event_type LIKE 'app.hook:%' ORDER BY id`
  const rows = (
    b.kind === 'sqlite'
      ? b.db.prepare(sql.replace('$jobs', 'jobs')).all()
      : (await b.admin.query(sql.replace('$jobs', 'runtime.jobs'))).rows
  ) as Array<{ event_type: string; owner: string; resource: string; payload: string }>
  return rows.map((r) => {
    const p = JSON.parse(r.payload)
    return { type: r.event_type, owner: r.owner, resource: r.resource, by: p.by, changes: p.changes, previous: p.previous }
  })
}

/** Every insert into the jobs table fails from now on (a full disk, a broken queue), until the case ends. */
async function breakJobInserts(b: RuntimeBackend, t: { onTestFinished(fn: () => unknown): void }) {
  if (b.kind === 'sqlite') {
    b.db.exec(`CREATE TRIGGER jobs_fail BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'jobs table broken (test)'); END`)
    return
  }
  await b.admin.query(`CREATE FUNCTION runtime.jobs_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'jobs table broken (test)'; END $$;
    CREATE TRIGGER jobs_fail BEFORE INSERT ON runtime.jobs FOR EACH ROW EXECUTE FUNCTION runtime.jobs_fail()`)
  t.onTestFinished(() => b.admin.query('DROP FUNCTION runtime.jobs_fail() CASCADE'))
}

const instance = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'instance',
  cloud: 'aws',
  account: '1',
  region: 'us-east-1',
  name: id,
  state: 'stopped',
  tags: { env: 'prod' },
  properties: { instanceType: 't3.micro' },
  ...extra,
})

describe.each(BACKENDS)('resource inventory on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('import, then query by type, fields and tags (ids in byte order), seen by every role', async (t) => {
    const b = await open(t)
    const worker = inventoryOf(b)
    const result = await worker.import([
      instance('i-b', { tags: { env: 'prod', team: 'sec' } }),
      instance('i-a', { region: 'eu-west-1', state: 'running' }),
      instance('B-upper', { tags: { env: 'dev' } }),
      { id: 'vol-1', type: 'volume', tags: { env: 'prod' } },
      { id: 'bad', type: 7 },
    ])
    assert.deepEqual(
      { ...result, rejected: result.rejected.map((r) => [r.index, r.id, r.field]) },
      { total: 5, imported: 4, created: 4, modified: 0, unchanged: 0, deleted: 0, rejected: [[4, 'bad', 'type']], applied: true },
    )
    const web = inventoryOf(b, 'web')
    const ids = (list: Array<{ id: string }>) => list.map((r) => r.id)
    assert.deepEqual(ids(await web.find()), ['B-upper', 'i-a', 'i-b', 'vol-1'], 'byte order: upper case first')
    assert.deepEqual(ids(await web.find({ type: 'instance' })), ['B-upper', 'i-a', 'i-b'])
    assert.deepEqual(ids(await web.find({ type: 'instance', tags: { env: 'prod' } })), ['i-a', 'i-b'])
    assert.deepEqual(ids(await web.find({ tags: { env: 'prod', team: 'sec' } })), ['i-b'])
    assert.deepEqual(ids(await web.find({ tags: { team: 'prod' } })), [])
    assert.deepEqual(ids(await web.find({ region: 'eu-west-1', state: 'running', cloud: 'aws' })), ['i-a'])
    assert.deepEqual(await web.get('vol-1'), {
      id: 'vol-1',
      type: 'volume',
      cloud: '',
      account: '',
      region: '',
      name: '',
      state: '',
      tags: { env: 'prod' },
      properties: {},
    })
    assert.equal(await web.get('nope'), null)
  })

  test('a re-import merges (null removes a key, fields left out keep their value); --replace makes the inventory the file', async (t) => {
    const b = await open(t)
    const inv = inventoryOf(b)
    await inv.import([instance('i-1'), instance('i-2')])
    await inv.update('i-1', { properties: { harvested: { findings: 3 } } }, 'harvester')
    const merged = await inv.import([
      { id: 'i-1', type: 'instance', state: 'running', tags: { env: null, team: 'sec' }, properties: { instanceType: 't3.large' } },
      { id: 'i-2', type: 'instance' },
    ])
    assert.deepEqual([merged.created, merged.modified, merged.unchanged], [0, 1, 1])
    assert.deepEqual(await inv.get('i-1'), {
      ...instance('i-1'),
      state: 'running',
      tags: { team: 'sec' },
      properties: { instanceType: 't3.large', harvested: { findings: 3 } },
    })
    const refused = await inv.import([instance('i-2'), { id: 'i-3' }], { replace: true })
    assert.equal(refused.applied, false, 'a bad row stops --replace')
    assert.deepEqual(
      (await inv.find()).map((r) => r.id),
      ['i-1', 'i-2'],
      'nothing written',
    )
    const replaced = await inv.import([{ id: 'i-2', type: 'instance', name: 'renamed' }], { replace: true })
    assert.deepEqual([replaced.modified, replaced.deleted, replaced.applied], [1, 1, true])
    assert.deepEqual(await inv.find(), [
      { ...instance('i-2'), name: 'renamed', cloud: '', account: '', region: '', state: '', tags: {}, properties: {} },
    ])
    const notArray = await inv.import({ id: 'i-1' })
    assert.match(notArray.rejected[0]!.message, /expected a JSON array of resources/)
  })

  test('update: state replaces, tags and properties merge with null removing keys; create and delete; clear errors', async (t) => {
    const b = await open(t)
    const inv = inventoryOf(b)
    const created = await inv.create(instance('i-2', { properties: { instanceType: 't3.micro', keep: [1, 2] } }), 'p')
    assert.equal(created.name, 'i-2')
    const updated = await inv.update(
      'i-2',
      { state: 'running', tags: { env: null, owner: 'me' }, properties: { instanceType: null, x: 1 } },
      'p',
    )
    assert.deepEqual([updated.state, updated.tags, updated.properties], ['running', { owner: 'me' }, { keep: [1, 2], x: 1 }])
    assert.deepEqual(await inv.get('i-2'), updated)
    await assert.rejects(
      inv.create(instance('i-2'), 'p'),
      /a resource with id "i-2" already exists; change it with DbObjects\.resources\.update/,
    )
    await assert.rejects(inv.create({ id: 'i-3' }, 'p'), /DbObjects\.resources\.create\(resource\): type: expected string/)
    await assert.rejects(inv.update('nope', { state: 'x' }, 'p'), /DbObjects\.resources\.update\("nope"\): no resource with id "nope"/)
    await assert.rejects(inv.update('i-2', { tags: { a: 1 as never } }, 'p'), /tags to be an object of strings/)
    await assert.rejects(inv.update('i-2', { properties: [] as never }, 'p'), /properties to be an object/)
    assert.equal(await inv.delete('i-2', 'p'), true)
    assert.equal(await inv.delete('i-2', 'p'), false)
    assert.equal(await inv.get('i-2'), null)
  })

  test('each change queues one hook job per subscribed plugin (never the actor), with what changed', async (t) => {
    const b = await open(t)
    await subscribe(b, { audit: ['resource.created', 'resource.modified', 'resource.deleted'], tagger: ['resource.modified'] })
    const inv = inventoryOf(b)
    await inv.import([instance('i-1')])
    await inv.update('i-1', { tags: { env: null, owner: 'me' } }, 'tagger')
    await inv.update('i-1', { tags: { owner: 'me' } }, 'audit') // changes nothing: no hook
    await inv.delete('i-1', 'tagger')
    assert.deepEqual(
      (await hookJobs(b)).map((j) => [j.type, j.owner, j.resource, j.by]),
      [
        ['app.hook:audit:resource.created', 'audit', 'i-1', null],
        ['app.hook:audit:resource.modified', 'audit', 'i-1', 'tagger'],
        ['app.hook:audit:resource.deleted', 'audit', 'i-1', 'tagger'],
      ],
    )
    assert.deepEqual((await hookJobs(b))[1]!.changes, { tags: { env: null, owner: 'me' } })
    await inv.import([instance('i-9')], { replace: true, actor: 'cli' })
    assert.equal((await hookJobs(b)).length, 4, 'one more: i-9 created (the inventory was empty)')
  })

  test('a change and its hook jobs commit together: when the jobs cannot be written, the change is not made', async (t) => {
    const b = await open(t)
    await subscribe(b, { audit: ['resource.created', 'resource.modified', 'resource.deleted'] })
    const inv = inventoryOf(b)
    await inv.import([instance('i-1')])
    await breakJobInserts(b, t)
    await assert.rejects(inv.update('i-1', { state: 'running' }, 'p'), /jobs table broken/)
    await assert.rejects(inv.import([instance('i-1', { state: 'gone' }), instance('i-2')]), /jobs table broken/)
    await assert.rejects(inv.create(instance('i-3'), 'p'), /jobs table broken/)
    await assert.rejects(inv.delete('i-1', 'p'), /jobs table broken/)
    assert.deepEqual(await inv.find(), [instance('i-1')], 'the inventory is as it was')
    assert.equal((await hookJobs(b)).length, 1, 'only the first import delivered')
  })

  test('plugins changing one resource at once on several connections lose none of each other’s changes', async (t) => {
    const b = await open(t)
    await subscribe(b, { audit: ['resource.modified'] })
    const writers = [
      inventoryOf(b),
      inventoryOf(b, kind === 'sqlite' ? 'web' : 'worker'),
      inventoryOf(b, kind === 'sqlite' ? 'scheduler' : 'worker'),
    ]
    await writers[0]!.create(instance('i-1', { tags: {} }), 'cli')
    await Promise.all(Array.from({ length: 24 }, (_, i) => writers[i % 3]!.update('i-1', { tags: { [`k${i}`]: String(i) } }, `p${i}`)))
    assert.equal(Object.keys((await writers[0]!.get('i-1'))!.tags).length, 24)
    assert.equal((await hookJobs(b)).length, 24, 'one delivery per change')
    const creates = await Promise.allSettled(writers.map((w, i) => w.create(instance('i-new', { name: `by ${i}` }), `p${i}`)))
    assert.equal(creates.filter((c) => c.status === 'fulfilled').length, 1, 'one create of an id wins, the others are told it exists')
  })
})

describe('resource inventory on postgres only', () => {
  const open = useRuntimeBackend('postgres')

  test('a hook job wakes listening workers when it commits; a resource field PostgreSQL cannot store is named', async (t) => {
    const b = await open(t)
    if (b.kind !== 'postgres') throw new Error('expected postgres')
    await subscribe(b, { audit: ['resource.created'] })
    const listener = await b.admin.connect()
    t.onTestFinished(async () => {
      await listener.query('UNLISTEN *')
      listener.release()
    })
    const heard: string[] = []
    listener.on('notification', (n) => heard.push(n.channel))
    await listener.query('LISTEN app_jobs')
    await inventoryOf(b).create(instance('i-1'), 'p')
    for (let i = 0; i < 50 && !heard.length; i++) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(heard, ['app_jobs'])
    await assert.rejects(inventoryOf(b).create(instance('i-\u0000'), 'p'), /resource "i-\\u0000": id contains the character U\+0000/)
  })
})
