// Resource hook subscriptions (HookSubscriptionsPort) on both backends: the scheduler's role writes a
// generation's subscriptions; a resource writer (the worker's role on PostgreSQL) raising a hook from them
// gets one queued delivery per subscriber, in its own transaction, so a rolled-back write delivers nothing.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import { hookJobType } from '../../src/hooks/hook-names.ts'
import type { HookSubscriptionsPort } from '../../src/hooks/hook-subscriptions-port.ts'
import { createHookRaiser, createSqliteHookSubscriptions } from '../../src/hooks/hook-subscriptions.ts'
import { createPostgresHookSubscriptions } from '../../src/hooks/postgres-hook-subscriptions.ts'
import { inTransaction } from '../../src/postgres/open-postgres.ts'
import { raisePostgresHooks } from '../../src/resources/postgres-hook-jobs.ts'
import type { ResourceChange, ResourceHookName } from '../../src/sdk/host-services.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

const schedulerOf = (b: RuntimeBackend): HookSubscriptionsPort =>
  b.kind === 'sqlite' ? createSqliteHookSubscriptions(b.db) : createPostgresHookSubscriptions(b.pools.scheduler)

type Raise = (hook: ResourceHookName, change: ResourceChange, actor: string | null, now?: number) => Promise<number>

/**
 * Runs `fn` with what a resource writer raises hooks with (createHookRaiser; raisePostgresHooks on the worker's
 * role), inside a transaction of its connection, committed unless `rollBack`.
 */
async function asWriter<T>(b: RuntimeBackend, fn: (raise: Raise) => Promise<T>, rollBack = false): Promise<T> {
  class RolledBack extends Error {}
  let result: T | undefined
  try {
    if (b.kind === 'sqlite') {
      const raise = createHookRaiser(b.db)
      b.db.exec('BEGIN IMMEDIATE')
      try {
        result = await fn(async (hook, change, actor, now) => raise(hook, change, actor, now))
        if (rollBack) throw new RolledBack()
        b.db.exec('COMMIT')
      } catch (error) {
        b.db.exec('ROLLBACK')
        throw error
      }
    } else {
      const client = await b.pools.worker.connect()
      try {
        await inTransaction(client, async (c) => {
          result = await fn((hook, change, actor, now) => raisePostgresHooks(c, [{ hook, change }], actor, now ?? Date.now()))
          if (rollBack) throw new RolledBack()
        })
      } finally {
        client.release()
      }
    }
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error
  }
  return result as T
}

type JobRow = { event_type: string; owner: string; resource: string; description: string; payload: string; run_at: number; status: string }
async function hookJobs(b: RuntimeBackend) {
  const sql = `SELECT event_type, owner, resource, description, payload, run_at, status FROM $jobs WHERE event_type LIKE 'app.hook:%' ORDER BY owner, id`
  const rows =
    b.kind === 'sqlite'
      ? (b.db.prepare(sql.replace('$jobs', 'jobs')).all() as JobRow[])
      : (await b.admin.query<JobRow>(sql.replace('$jobs', 'runtime.jobs'))).rows
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }))
}

const resource = {
  id: 'i-1',
  type: 'instance',
  cloud: 'aws',
  account: '1',
  region: 'us-east-1',
  name: 'web',
  state: 'running',
  tags: {},
  properties: {},
}
const change: ResourceChange = { resource, previous: { ...resource, state: 'stopped' }, changes: { state: 'running' } }

describe.each(BACKENDS)('hook subscriptions on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test("the scheduler's subscriptions replace the old ones, resource hooks only", async (t) => {
    const b = await open(t)
    const scheduler = schedulerOf(b)
    await scheduler.replace([
      { plugin: 'audit', hook: 'resource.modified' },
      { plugin: 'gone', hook: 'resource.modified' },
      { plugin: 'gone', hook: 'resource.deleted' },
    ])
    await scheduler.replace([
      { plugin: 'tagger', hook: 'resource.modified' },
      { plugin: 'audit', hook: 'resource.modified' },
      { plugin: 'audit', hook: 'resource.modified' },
      { plugin: 'audit', hook: 'resource.created' },
      { plugin: 'audit', hook: 'job.finished' },
    ])
    const read = schedulerOf(b)
    assert.deepEqual(
      {
        modified: await read.subscribers('resource.modified'),
        created: await read.subscribers('resource.created'),
        deleted: await read.subscribers('resource.deleted'),
      },
      { modified: ['audit', 'tagger'], created: ['audit'], deleted: [] },
    )
    await scheduler.replace([])
    assert.deepEqual(await schedulerOf(b).subscribers('resource.modified'), [])
  })

  test('a raised hook queues one delivery per subscriber but not the actor, with the change as payload', async (t) => {
    const b = await open(t)
    await schedulerOf(b).replace([
      { plugin: 'audit', hook: 'resource.modified' },
      { plugin: 'tagger', hook: 'resource.modified' },
      { plugin: 'other', hook: 'resource.deleted' },
    ])
    const now = Date.now()
    assert.equal(await asWriter(b, (raise) => raise('resource.modified', change, 'tagger', now)), 1)
    assert.equal(await asWriter(b, (raise) => raise('resource.modified', change, null, now)), 2)
    assert.equal(await asWriter(b, (raise) => raise('resource.created', change, null, now)), 0, 'nobody subscribed')
    const jobs = await hookJobs(b)
    assert.deepEqual(
      jobs.map((j) => [j.event_type, j.owner, j.description, j.resource, j.status, j.run_at]),
      [
        [hookJobType('audit', 'resource.modified'), 'audit', 'resource.modified i-1 by tagger', 'i-1', 'pending', now],
        [hookJobType('audit', 'resource.modified'), 'audit', 'resource.modified i-1', 'i-1', 'pending', now],
        [hookJobType('tagger', 'resource.modified'), 'tagger', 'resource.modified i-1', 'i-1', 'pending', now],
      ],
    )
    assert.deepEqual(jobs[0]!.payload, { ...change, by: 'tagger' })
    assert.deepEqual(jobs[1]!.payload, { ...change, by: null })
  })

  test('a resource write that rolls back delivers nothing', async (t) => {
    const b = await open(t)
    await schedulerOf(b).replace([{ plugin: 'audit', hook: 'resource.deleted' }])
    const raised = await asWriter(b, (raise) => raise('resource.deleted', change, null), true)
    assert.equal(raised, 1, 'the delivery was queued in the transaction')
    assert.deepEqual(await hookJobs(b), [])
  })
})
