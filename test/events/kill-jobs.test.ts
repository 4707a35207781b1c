import assert from 'node:assert/strict'
import { test } from 'vitest'
import { runKillExperiment } from './kill-experiment.ts'

// The small version of bench/kill-jobs.ts: 2 workers x 4 threads, 200 events of 200 ms due over 15 s,
// a worker killed with SIGKILL (and restarted) 5 times. Default job settings, as an install has them.
test('kill -9 of workers under load: nothing lost, nothing failed unstarted, no job run twice at once, recovery within 5 s', async () => {
  const r = await runKillExperiment({ workers: 2, threads: 4, events: 200, eventMs: 200, kills: 5, spanMs: 15_000, settleMs: 60_000 })
  const summary = JSON.stringify(r)
  assert.equal(r.lost, 0, `every event done or failed: ${summary}`)
  assert.equal(r.failedNeverStarted, 0, `no event failed without its handler ever starting: ${summary}`)
  assert.equal(r.concurrentDoubleRuns, 0, `no event ran twice at the same time: ${summary}`)
  assert.ok(r.recoveryMs.jobs > 0, `the kills hit workers holding jobs: ${summary}`)
  assert.ok(r.recoveryMs.max! < 5000, `a killed worker's jobs were claimed again within 5 s: ${summary}`)
  assert.equal(r.done, 200, summary)
})
