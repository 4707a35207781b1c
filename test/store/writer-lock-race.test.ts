import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from 'vitest'
import Database from 'better-sqlite3'
import { manifest, runCli, startCli, tempDir, writePlugin, type RunningRole } from '../helpers/cli.ts'

const SCHEDULERS = 8

test(`${SCHEDULERS} schedulers started at once on one data dir: exactly one wins, every other exits 3 naming the winner's pid`, async (t) => {
  const root = tempDir(t)
  const args = ['--role=scheduler', '--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  writePlugin(join(root, 'plugins'), 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const all: RunningRole[] = Array.from({ length: SCHEDULERS }, () => startCli(args, { cwd: root }))
  t.onTestFinished(async () => {
    for (const s of all) await s.stop('SIGKILL')
  })

  // Each one either starts or exits; the winner keeps running.
  const outcomes = await Promise.all(
    all.map((s) => Promise.race([s.exited, s.waitFor(/"msg":"scheduler started"/, 90_000).then(() => 'started' as const)])),
  )
  const winners = all.filter((_, i) => outcomes[i] === 'started')
  assert.equal(winners.length, 1, `exactly one winner; outcomes: ${outcomes.join(', ')}`)
  const winner = winners[0]!.child.pid
  for (const [i, s] of all.entries()) {
    if (outcomes[i] === 'started') continue
    assert.equal(outcomes[i], 3, s.output())
    assert.match(s.output(), new RegExp(`another scheduler holds .*scheduler\\.lock: pid ${winner} on host \\S+, started \\d{4}-`))
    assert.doesNotMatch(s.output(), /did not record itself|unknown process/)
  }
  assert.equal(await winners[0]!.stop(), 0)
})

test('a refused scheduler never names a former holder that is gone: it waits for the live holder to record itself', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  const lockFile = join(data, 'scheduler.lock')
  // Held here the way a scheduler holds it, between taking the lock and recording who it is.
  const lock = new Database(lockFile)
  t.onTestFinished(() => {
    lock.close()
  })
  lock.pragma('locking_mode = EXCLUSIVE')
  lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY); COMMIT')
  // What a holder killed with -9 left behind.
  const gone = spawnSync(process.execPath, ['-e', '']).pid!
  writeFileSync(
    `${lockFile}.json`,
    JSON.stringify({ pid: gone, host: hostname(), startedAt: new Date().toISOString(), command: 'app --role=scheduler' }),
  )
  const args = ['plugins', 'sync', '--data-dir', data, '--plugins-dir', join(root, 'plugins')]

  const unrecorded = await runCli(args, { cwd: root })
  assert.equal(unrecorded.code, 3)
  assert.doesNotMatch(unrecorded.stderr, new RegExp(`writer lock \\S+: pid ${gone} `), 'the dead former holder is not named as the holder')
  assert.match(
    unrecorded.stderr,
    new RegExp(`a process that did not record itself \\(the last recorded holder, pid ${gone} .* is not running on this host\\)`),
  )

  // The live holder records itself while the refused process waits: it is the one named.
  const waiting = runCli(args, { cwd: root })
  writeFileSync(
    `${lockFile}.json`,
    JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'the test' }),
  )
  const named = await waiting
  assert.equal(named.code, 3)
  assert.match(named.stderr, new RegExp(`writer lock \\S+: pid ${process.pid} on host \\S+, started \\d{4}-.*\\(the test\\)`))
})
