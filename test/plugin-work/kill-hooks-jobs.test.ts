import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { overlapping } from '../events/kill-experiment.ts'
import { runCli, startCli, tempDir, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { writeTestPlugin, type TraceLine } from './fixtures.ts'

const CHANGES = 150

// As test/events/kill-jobs.test.ts does for events: hook deliveries (200 ms each) and a plugin job (300 ms,
// every second) traced start/end per job id, while workers are killed with SIGKILL and restarted.
test('kill -9 of workers during hook and job delivery: none lost (at least once), none run twice at the same time', async (t) => {
  const root = tempDir(t)
  writeTestPlugin(join(root, 'plugins'), 'slow')
  const env = { APP_SETTLE_MS: '0', TRACE_DIR: root, APP_LOG_LEVEL: 'warn' }
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles.reverse()) await r.stop('SIGKILL')
  })
  const start = async (args: string[], ready: RegExp) => {
    const role = startCli([...args, '--data-dir', 'data'], { cwd: root, env: { ...env, APP_LOG_LEVEL: 'info' } })
    roles.push(role)
    await role.waitFor(ready, 60_000)
    return role
  }
  const rows = (state: string) => Array.from({ length: CHANGES }, (_, i) => ({ id: `i-${i}`, type: 'instance', state }))
  writeFileSync(join(root, 'r.json'), JSON.stringify(rows('stopped')))
  assert.equal((await runCli(['resources', 'import', 'r.json', '--data-dir', 'data'], { cwd: root, env })).code, 0)
  await start(['--role=scheduler', '--plugins-dir', 'plugins'], /scheduler started/)
  const workers = [
    await start(['--role=worker', '--concurrency', '2'], /handlers ready/),
    await start(['--role=worker', '--concurrency', '2'], /handlers ready/),
  ]
  const db = openRuntimeDb(join(root, 'data'))
  t.onTestFinished(() => {
    db.close()
  })

  // 150 changes: 150 deliveries of 200 ms over 4 threads, about 8 s of work; three kills inside it.
  writeFileSync(join(root, 'r.json'), JSON.stringify(rows('running')))
  assert.equal((await runCli(['resources', 'import', 'r.json', '--data-dir', 'data'], { cwd: root, env })).code, 0)
  const killedAt = new Map<number, number>()
  let heldHooks = 0
  let heldJobs = 0
  for (let k = 0; k < 3; k++) {
    const slot = k % 2
    const victim = workers[slot]!
    // Kill only while it runs a delivery (the first two: a hook's, the third: a plugin job's): the cases under test.
    const want = k === 2 ? 'app.job:' : 'app.hook:'
    const owner = db
      .prepare('SELECT id FROM processes WHERE pid = ? ORDER BY started_at DESC LIMIT 1')
      .pluck()
      .get(victim.child.pid) as string
    const held = db.prepare(`SELECT event_type FROM jobs WHERE status = 'running' AND lease_owner = ? AND started_at IS NOT NULL`).pluck()
    await waitUntil(
      `the victim to be running a ${want} delivery`,
      () => (held.all(owner) as string[]).some((x) => x.startsWith(want)),
      30_000,
      5,
    )
    victim.child.kill('SIGKILL')
    killedAt.set(victim.child.pid!, Date.now())
    await victim.exited
    const types = held.all(owner) as string[]
    heldHooks += types.filter((x) => x.startsWith('app.hook:')).length
    heldJobs += types.filter((x) => x.startsWith('app.job:')).length
    workers[slot] = await start(['--role=worker', '--concurrency', '2'], /handlers ready/)
  }
  const cutoff = Date.now()
  const hookJobs = () =>
    db.prepare(`SELECT id, status, attempts FROM jobs WHERE event_type = 'app.hook:slow:resource.modified'`).all() as Array<{
      id: number
      status: string
      attempts: number
    }>
  const dueJobs = () =>
    db.prepare(`SELECT id, status FROM jobs WHERE event_type = 'app.job:slow:slow-job' AND run_at <= ?`).all(cutoff) as Array<{
      id: number
      status: string
    }>
  await waitUntil(
    'every delivery and every job due before the last kill to finish',
    () =>
      hookJobs().every((j) => j.status === 'done' || j.status === 'failed') &&
      dueJobs().every((j) => j.status === 'done' || j.status === 'failed'),
    90_000,
    200,
  )

  const file = join(root, 'slow.jsonl')
  const lines: TraceLine[] = existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : []
  const hooks = hookJobs()
  assert.equal(hooks.length, CHANGES, 'one delivery per change')
  assert.deepEqual(
    hooks.filter((j) => j.status !== 'done'),
    [],
    'every delivery done: none lost',
  )
  assert.deepEqual(
    dueJobs().filter((j) => j.status !== 'done'),
    [],
    'every due job run done',
  )
  const started = new Set(lines.filter((x) => x.what === 'start').map((x) => x.id))
  assert.ok(
    hooks.every((j) => started.has(j.id)),
    'every delivery reached the handler',
  )
  const traced = lines.map((x) => ({ id: x.id as number, what: x.what as 'start' | 'end', attempt: x.attempt!, pid: x.pid, t: x.t }))
  assert.equal(overlapping(traced, killedAt, Date.now()), 0, 'no delivery or job ran twice at the same time')
  assert.ok(
    heldHooks > 0 && heldJobs > 0,
    `the kills hit workers running hook deliveries and plugin jobs (hooks ${heldHooks}, jobs ${heldJobs})`,
  )
  assert.ok(
    hooks.some((j) => j.attempts > 1),
    'a delivery cut short by a kill ran again',
  )
})
