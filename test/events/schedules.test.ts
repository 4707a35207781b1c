import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { runCli, startCli, tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test('the scheduler fires interval, cron and bot schedules, once per due time, and requeues expired leases', async (t) => {
  const root = tempDir(t)
  const dataDir = join(root, 'data')
  mkdirSync(join(root, 'plugins'))
  const db = openRuntimeDb(dataDir)
  t.onTestFinished(async () => {
    await db.close()
  })
  const services = createHostServices(db)
  await services.scheduleBotEvents(
    [
      {
        bot: 'b',
        resource: 'i-1',
        description: 'every second',
        eventType: 'test.interval',
        scheduleData: { kind: 'interval', everyMs: 1000 },
      },
      {
        bot: 'b',
        resource: 'i-1',
        description: 'cron, every second',
        eventType: 'test.cron',
        scheduleData: { kind: 'cron', expr: '* * * * * *', timezone: 'UTC' },
      },
    ],
    'test-plugin',
  )
  writeFileSync(
    join(root, 'bots.json'),
    JSON.stringify([
      {
        name: 'ticking',
        resourceTypes: ['instance'],
        filters: [],
        action: { uid: 'x.action', settings: {} },
        schedule: { intervalSeconds: 1 },
      },
      { name: 'on-demand', resourceTypes: ['instance'], filters: [], action: { uid: 'x.action', settings: {} } },
    ]),
  )
  const applied = await runCli(['bots', 'apply', 'bots.json', '--data-dir', 'data'], { cwd: root })
  assert.equal(applied.code, 0, applied.stderr)
  // A job a dead worker was running (its handler had started: attempt 1): its lease ran out a minute ago.
  await enqueueJobs(db, [{ eventType: 'test.leased', runAt: Date.now() }])
  db.prepare(
    `UPDATE jobs SET status = 'running', attempts = 1, started_at = ?, lease_owner = 'dead-worker', claim_token = 't', lease_expires_at = ? WHERE event_type = 'test.leased'`,
  ).run(Date.now() - 90_000, Date.now() - 60_000)

  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root })
  t.onTestFinished(async () => {
    await scheduler.stop()
  })
  await scheduler.waitFor(/scheduler started/)
  const admin = createJobAdmin(db)
  const byType = async (type: string) => admin.list({ eventType: type })
  await waitUntil(
    '3 occurrences of each schedule',
    async () =>
      (await byType('test.interval')).length >= 3 && (await byType('test.cron')).length >= 3 && (await byType('app.bot_run')).length >= 3,
  )
  for (const type of ['test.interval', 'test.cron']) {
    const jobs = await byType(type)
    assert.equal(new Set(jobs.map((j) => j.runAt)).size, jobs.length, `${type}: one job per due time`)
    assert.ok(jobs.every((j) => j.bot === 'b' && j.resource === 'i-1' && j.owner === 'test-plugin' && j.status === 'pending'))
  }
  assert.ok(
    (await byType('app.bot_run')).every((j) => j.bot === 'ticking'),
    'only the scheduled bot runs by itself',
  )
  const leased = (await byType('test.leased'))[0]!
  assert.equal(leased.status, 'pending')
  assert.match(leased.lastError ?? '', /lease expired during attempt 1: worker dead-worker/)
  // Stop the interval schedule; the cron one keeps firing, the interval one fires no more.
  const last = (await byType('test.interval'))[0]!
  const cancelled = await runCli(['events', 'cancel', String(last.id), '--schedule', '--data-dir', 'data'], { cwd: root })
  assert.equal(cancelled.code, 0, cancelled.stderr)
  assert.match(cancelled.stdout, /is cancelled\nits schedule \d+ is removed and fires no more/)
  const intervalCount = (await byType('test.interval')).length
  const cronCount = (await byType('test.cron')).length
  await waitUntil('two more cron occurrences', async () => (await byType('test.cron')).length >= cronCount + 2)
  assert.equal((await byType('test.interval')).length, intervalCount)
  const again = await runCli(['events', 'cancel', String(last.id), '--schedule', '--data-dir', 'data'], { cwd: root })
  assert.match(again.stdout, /was already removed/)
  const oneOff = await runCli(['events', 'cancel', String(leased.id), '--schedule', '--data-dir', 'data'], { cwd: root })
  assert.equal(oneOff.code, 1)
  assert.match(oneOff.stderr, /was not fired by a recurring schedule/)
  assert.equal(await scheduler.stop(), 0)
})
