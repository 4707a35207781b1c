// The queue on PostgreSQL only: a worker's database role does all of a worker's work (its grants suffice), and
// NOTIFY wakes a listening worker when jobs become claimable (inserted, released, requeued, retried), also after
// its connection dropped. The guarantees both backends share are in queue.unit.test.ts.
import assert from 'node:assert/strict'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { openPostgres, type PgPool } from '../../src/postgres/open-postgres.ts'
import { createPostgresJobStore } from '../../src/queue/postgres-job-store.ts'
import { listenForJobs } from '../../src/queue/postgres-job-wakeup.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { result, start, TYPES, workerQueue } from './queue-fixture.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const due = (n: number) => Array.from({ length: n }, (_, i) => ({ eventType: 'work', runAt: Date.now() - n + i }))

describe('job queue on postgres: the worker role and wake-ups', () => {
  let db: Awaited<ReturnType<typeof createInitializedDatabase>> | undefined
  const pools: PgPool[] = []
  beforeAll(async () => {
    db = await createInitializedDatabase()
  })
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()))
    await db?.drop()
  })
  const connect = async (role: 'scheduler' | 'worker' | 'web' | 'admin') => {
    const pool = await openPostgres(role === 'admin' ? db!.adminUrl : db!.urls[role], { applicationName: `queue test ${role}`, max: 2 })
    pools.push(pool)
    return pool
  }

  test("a worker's database role does every worker operation: its grants suffice", async () => {
    const pool = await connect('worker')
    assert.equal((await pool.query('SELECT current_user AS u')).rows[0].u, `${db!.prefix}_worker`)
    const now = new Date().toISOString()
    await pool.query(
      `INSERT INTO runtime.processes (id, role, host, pid, version, started_at, heartbeat_at) VALUES ('w1', 'worker', 'h', 1, 'v', $1, $1)`,
      [now],
    )
    const store = createPostgresJobStore(pool)
    assert.equal(
      await store.enqueue([...due(4), { eventType: 'gone', runAt: Date.now() - 1 }]),
      5,
      'plugins on a worker schedule events too',
    )
    const q = workerQueue(store, 'w1')
    assert.deepEqual(await q.markOrphaned(TYPES), [{ eventType: 'gone', owner: null }])
    const [a, b, c, d] = await q.claim(10, TYPES)
    assert.deepEqual(await q.markStarted([start(a!), start(b!)]), [])
    assert.ok((await q.confirm())! > 0)
    assert.equal(await q.renew(), 4)
    assert.deepEqual(await q.complete([result(a!, 'done'), result(b!, 'failed', { error: 'x' }), result(c!, 'released')]), [])
    assert.equal(await q.releaseAll(), 1)
    assert.equal((await store.admin.get(d!.id)).status, 'pending')
    assert.ok((await q.nextDueAt(TYPES))! > 0)
  })

  test('NOTIFY wakes a listener for new, released, requeued and retried jobs, and again after its connection drops', async (t) => {
    const heard: Array<number | null> = []
    const errors: Error[] = []
    const wakeup = await listenForJobs(db!.urls.worker, (runAt) => heard.push(runAt), {
      applicationName: 'queue test wakeup',
      onError: (error) => errors.push(error),
    })
    t.onTestFinished(() => wakeup.close())
    const scheduler = createPostgresJobStore(await connect('scheduler'))
    const worker = createPostgresJobStore(await connect('worker'))
    // Its own event type: the case before left jobs of type work in this database.
    const WAKE = JSON.stringify(['wake'])
    const hear = (what: string, check: () => boolean) => waitUntil(what, check, 5000, 5)
    const later = Date.now() + 60_000
    await scheduler.enqueue([
      { eventType: 'wake', runAt: later + 5 },
      { eventType: 'wake', runAt: later },
    ])
    await hear('the insert, with the earliest run_at', () => heard.includes(later))
    await worker.enqueue([{ eventType: 'wake', runAt: later + 2, idempotencyKey: 'k' }])
    await hear("a worker's insert", () => heard.includes(later + 2))
    await worker.enqueue([{ eventType: 'wake', runAt: 7, idempotencyKey: 'k' }])
    const dueAt = Date.now() - 5
    await scheduler.enqueue([
      { eventType: 'wake', runAt: dueAt },
      { eventType: 'wake', runAt: dueAt + 1 },
    ])
    await hear('a due insert', () => heard.includes(dueAt))
    assert.ok(!heard.includes(7), 'an insert ignored as a duplicate wakes no one (notifications arrive in commit order)')
    await worker.admin.cancel((await worker.admin.list({ limit: 1 }))[0]!.id)

    heard.length = 0
    const q = workerQueue(worker, 'no-row', { leaseMs: 50 })
    const claimed = await q.claim(10, WAKE)
    assert.equal(claimed.length, 1)
    await q.complete([result(claimed[0]!, 'released')])
    await hear('a release', () => heard.length === 1)
    await q.claim(10, WAKE)
    await sleep(100)
    assert.equal((await scheduler.maintenance({ maxAttempts: 5, retentionMs: 1 }).requeueExpired()).length, 1)
    await hear('a requeue', () => heard.length === 2)
    const [cancelled] = await worker.admin.list({ status: 'cancelled' })
    await createPostgresJobStore(await connect('web')).admin.retry(cancelled!.id)
    await hear('a retry', () => heard.length === 3)

    const admin = await connect('admin')
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'queue test wakeup'`)
    await hear('the listener back after its connection dropped (it says so with null)', () => heard.includes(null))
    assert.ok(errors.length > 0, 'the drop was reported')
    await scheduler.enqueue([{ eventType: 'wake', runAt: later + 1 }])
    await hear('a notification on the new connection', () => heard.includes(later + 1))
  })

  test('a listener on a server that cannot be reached is refused at once, naming the URL without its password', async () => {
    await assert.rejects(
      listenForJobs('postgres://app:secret@127.0.0.1:1/app', () => {}, { applicationName: 'x' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'DATABASE_UNREACHABLE')
        assert.match(error.message, /Cannot connect to PostgreSQL at postgres:\/\/\*+:\*+@127\.0\.0\.1:1\/app/)
        assert.ok(!error.message.includes('secret'))
        return true
      },
    )
  })
})
