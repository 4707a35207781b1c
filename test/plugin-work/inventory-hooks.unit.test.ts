import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'vitest'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { createSubscriptionWriter } from '../../src/hooks/hook-subscriptions.ts'
import { importResources } from '../../src/resources/import-resources.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { tempDir } from '../helpers/cli.ts'

function setup(t: Parameters<typeof tempDir>[0], subscriptions: Array<{ plugin: string; hook: string }> = []) {
  const db = openRuntimeDb(join(tempDir(t), 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  db.transaction(() => createSubscriptionWriter(db)(subscriptions))()
  const services = createHostServices(db)
  const hookJobs = () =>
    (
      db.prepare(`SELECT event_type, resource, owner, payload FROM jobs WHERE event_type LIKE 'app.hook:%' ORDER BY id`).all() as Array<{
        event_type: string
        resource: string
        owner: string
        payload: string
      }>
    ).map((j) => ({ type: j.event_type, resourceId: j.resource, owner: j.owner, ...JSON.parse(j.payload) }))
  return { db, services, hookJobs }
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

describe('inventory writes', () => {
  test('a re-import merges tags and properties (null removes a key) and keeps what plugins harvested', async (t) => {
    const { db, services } = setup(t)
    await importResources(db, [instance('i-1')])
    await services.resources.update('i-1', { properties: { xray: { findings: 3 } } }, 'harvester')
    const result = await importResources(db, [
      { id: 'i-1', type: 'instance', state: 'running', tags: { env: null, team: 'sec' }, properties: { instanceType: 't3.large' } },
    ])
    assert.deepEqual(
      { created: result.created, modified: result.modified, unchanged: result.unchanged },
      { created: 0, modified: 1, unchanged: 0 },
    )
    const r = await services.resources.get('i-1')
    assert.deepEqual(r, {
      ...instance('i-1'),
      state: 'running',
      tags: { team: 'sec' },
      properties: { instanceType: 't3.large', xray: { findings: 3 } },
    })
    assert.equal((await importResources(db, [{ id: 'i-1', type: 'instance', state: 'running' }])).unchanged, 1)
  })

  test('DbObjects-style update merges with null removing keys; create refuses an existing id; delete says whether there was one', async (t) => {
    const { services } = setup(t)
    const created = await services.resources.create!(instance('i-2'), 'p')
    assert.equal(created.name, 'i-2')
    const updated = await services.resources.update(
      'i-2',
      { tags: { env: null, owner: 'me' }, properties: { instanceType: null, x: 1 } },
      'p',
    )
    assert.deepEqual([updated.tags, updated.properties], [{ owner: 'me' }, { x: 1 }])
    await assert.rejects(services.resources.create!(instance('i-2'), 'p'), /a resource with id "i-2" already exists/)
    await assert.rejects(services.resources.create!({ id: 'i-3' }, 'p'), /DbObjects\.resources\.create\(resource\): type: expected string/)
    await assert.rejects(services.resources.update('nope', { state: 'x' }, 'p'), /no resource with id "nope"/)
    await assert.rejects(services.resources.update('i-2', { tags: { a: 1 as never } }, 'p'), /tags to be an object of strings/)
    assert.equal(await services.resources.delete!('i-2', 'p'), true)
    assert.equal(await services.resources.delete!('i-2', 'p'), false)
  })
})

describe('resource hooks', () => {
  test('each change raises one job per subscribed plugin, not for the plugin that made it, with resource, previous and changes', async (t) => {
    const { db, services, hookJobs } = setup(t, [
      { plugin: 'notifier', hook: 'resource.modified' },
      { plugin: 'harvester', hook: 'resource.modified' },
      { plugin: 'notifier', hook: 'resource.created' },
      { plugin: 'notifier', hook: 'resource.deleted' },
    ])
    await importResources(db, [instance('i-1')])
    assert.deepEqual(
      hookJobs().map((j) => [j.type, j.owner, j.resourceId]),
      [['app.hook:notifier:resource.created', 'notifier', 'i-1']],
    )
    assert.equal(hookJobs()[0].previous, null)
    assert.equal(hookJobs()[0].changes.state, 'stopped')

    await services.resources.update('i-1', { state: 'running', properties: { xray: 1 } }, 'harvester')
    const modified = hookJobs().slice(1)
    assert.deepEqual(
      modified.map((j) => j.type),
      ['app.hook:notifier:resource.modified'],
      'the harvester does not hear its own change',
    )
    assert.deepEqual(modified[0].changes, { state: 'running', properties: { xray: 1 } })
    assert.equal(modified[0].previous.state, 'stopped')
    assert.equal(modified[0].resource.state, 'running')
    assert.equal(modified[0].by, 'harvester')

    await services.resources.update('i-1', { state: 'running' }, 'notifier')
    assert.equal(hookJobs().length, 2, 'a write that changes nothing raises nothing')
    await services.resources.update('i-1', { tags: { env: null } }, 'notifier')
    assert.deepEqual(
      hookJobs()
        .slice(2)
        .map((j) => [j.type, j.changes]),
      [['app.hook:harvester:resource.modified', { tags: { env: null } }]],
    )
  })

  test('import --replace deletes what the file lacks with resource.deleted hooks; a bad row makes it change nothing', async (t) => {
    const { db, services, hookJobs } = setup(t, [{ plugin: 'notifier', hook: 'resource.deleted' }])
    await importResources(db, [instance('i-1'), instance('i-2', { properties: { harvested: true } })])
    const bad = await importResources(db, [instance('i-1'), { id: 'i-9' }], { replace: true })
    assert.equal(bad.applied, false)
    assert.equal((await services.resources.find()).length, 2)
    const result = await importResources(db, [instance('i-2')], { replace: true })
    assert.deepEqual([result.applied, result.deleted, result.modified], [true, 1, 1])
    assert.deepEqual((await services.resources.get('i-2'))!.properties, { instanceType: 't3.micro' }, '--replace writes rows as given')
    assert.deepEqual(
      hookJobs().map((j) => [j.type, j.resource.id, j.previous.id, j.changes]),
      [['app.hook:notifier:resource.deleted', 'i-1', 'i-1', {}]],
    )
  })

  test('a change and its hook jobs commit together: a failed write leaves neither', async (t) => {
    const { db, services, hookJobs } = setup(t, [{ plugin: 'notifier', hook: 'resource.created' }])
    db.exec(
      `CREATE TRIGGER refuse AFTER INSERT ON jobs WHEN new.event_type LIKE 'app.hook:%' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`,
    )
    await assert.rejects(services.resources.create!(instance('i-1'), null), /disk says no/)
    assert.equal(await services.resources.get('i-1'), null)
    assert.equal(hookJobs().length, 0)
  })
})
