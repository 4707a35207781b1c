// The kill -9 experiment, full size: 2 worker processes x 4 handler threads, 2,000 events of 200 ms due
// evenly over 2 minutes, a worker killed with SIGKILL 20 times in that span (restarted each time).
// Counts events lost (never done), failed without ever starting, run twice at the same time, and how long
// a killed worker's jobs waited to be claimed again. Not part of `npm run bench` (it takes ~2.5 minutes):
//   node_modules/.bin/node bench/kill-jobs.ts [--events N] [--kills N] [--span-ms N] [--heartbeat-timeout-ms N]
// Prints one summary line and writes bench/out/kill-jobs.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runKillExperiment } from '../test/events/kill-experiment.ts'

const here = dirname(fileURLToPath(import.meta.url))
const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    kills: { type: 'string' },
    'span-ms': { type: 'string' },
    'heartbeat-timeout-ms': { type: 'string' },
  },
})
const heartbeat = values['heartbeat-timeout-ms'] ? Number(values['heartbeat-timeout-ms']) : undefined

const result = await runKillExperiment({
  workers: 2,
  threads: 4,
  eventMs: 200,
  events: Number(values.events ?? 2000),
  kills: Number(values.kills ?? 20),
  spanMs: Number(values['span-ms'] ?? 120_000),
  jobs: heartbeat ? { heartbeatTimeoutMs: heartbeat } : undefined,
  progress: (line) => process.stderr.write(`  kill-jobs: ${line}\n`),
})
const goals = {
  lost: result.lost === 0,
  failedNeverStarted: result.failedNeverStarted === 0,
  concurrentDoubleRuns: result.concurrentDoubleRuns === 0,
  recoveryUnder5s: (result.recoveryMs.max ?? Infinity) < 5000,
}
const out = join(here, 'out', 'kill-jobs.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify({ machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString() }, result, goals }, null, 2)}\n`,
)
const r = result
process.stdout.write(
  `kill-jobs: ${r.events} events x ${r.settings.eventMs} ms, ${r.settings.workers} workers x ${r.settings.threads} threads, ${r.kills} kill -9s: ` +
    `lost ${r.lost}, failed never started ${r.failedNeverStarted} (failed ${r.failed}), concurrent double runs ${r.concurrentDoubleRuns}, reruns ${r.reruns}; ` +
    `recovery (kill to re-claim, ${r.recoveryMs.jobs} jobs) median ${r.recoveryMs.median} ms, p95 ${r.recoveryMs.p95} ms, max ${r.recoveryMs.max} ms; ` +
    `goals ${
      Object.values(goals).every(Boolean)
        ? 'met'
        : `NOT met: ${Object.entries(goals)
            .filter(([, ok]) => !ok)
            .map(([k]) => k)
            .join(', ')}`
    } (${out})\n`,
)
process.exit(Object.values(goals).every(Boolean) ? 0 : 1)
