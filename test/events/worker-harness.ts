import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { createJobAdmin } from '../../src/queue/job-admin.ts'
import type { NewJob } from '../../src/queue/job-types.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { startCli, tempDir, type RunningRole } from '../helpers/cli.ts'
import { writeJobsConfig, writeJobsPlugin } from './fixtures/jobs-plugin.ts'
import { waitUntil } from '../helpers/wait-until.ts'

/** A data dir with the test plugin published by a real scheduler, and helpers to start workers and watch jobs. */
export async function startInstall(
  t: { onTestFinished(fn: () => unknown): void },
  options: { jobs?: Parameters<typeof writeJobsConfig>[1]; plugin?: boolean } = {},
) {
  const root = tempDir(t)
  mkdirSync(join(root, 'plugins'))
  if (options.plugin !== false) writeJobsPlugin(join(root, 'plugins'))
  writeJobsConfig(root, { leaseMs: 30_000, ...options.jobs })
  const env = { APP_SETTLE_MS: '0' }
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles.reverse()) await r.stop('SIGKILL')
  })
  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  roles.push(scheduler)
  await scheduler.waitFor(/scheduler started/, 60_000)
  const db = openRuntimeDb(join(root, 'data'))
  t.onTestFinished(async () => {
    await db.close()
  })
  const admin = createJobAdmin(db)
  const trace = join(root, 'trace.jsonl')
  return {
    root,
    db,
    admin,
    scheduler,
    trace,
    async startWorker(args: string[] = []) {
      const worker = startCli(['--role=worker', '--data-dir', 'data', ...args], { cwd: root, env })
      roles.push(worker)
      await worker.waitFor(/handlers ready/, 60_000)
      return worker
    },
    async enqueue(jobs: Array<Partial<NewJob> & { eventType: string }>): Promise<number[]> {
      const before = (await admin.list({ limit: 1 }))[0]?.id ?? 0
      await enqueueJobs(
        db,
        jobs.map((j) => ({ runAt: Date.now(), ...j, payload: { file: trace, ...(j.payload as object) } })),
      )
      return (await admin.list({ limit: jobs.length }))
        .map((j) => j.id)
        .filter((id) => id > before)
        .sort((a, b) => a - b)
    },
    /** Waits until the job reaches one of the statuses; returns it. */
    async waitForStatus(id: number, statuses: string[], timeoutMs = 60_000) {
      return waitUntil(
        `event ${id} to be ${statuses.join(' or ')}`,
        async () => {
          const job = await admin.get(id)
          return statuses.includes(job.status) ? job : null
        },
        timeoutMs,
      )
    },
    traces(): Array<{ id: number; what: string; attempt: number; pid: number; t: number }> {
      return existsSync(trace)
        ? readFileSync(trace, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : []
    },
  }
}
