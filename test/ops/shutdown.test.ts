// DESIGN section 10: on SIGTERM or SIGINT every role stops taking work, closes what it opened and exits 0
// (within 10 s: run-roles exits 1 when the stop overruns, so exit 0 also means in time).
import assert from 'node:assert/strict'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli.ts'

const READY: Record<string, RegExp> = {
  scheduler: /scheduler started/,
  worker: /handlers ready/,
  web: /web ready/,
  all: /web ready/,
}

for (const role of ['scheduler', 'worker', 'web', 'all']) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`app --role=${role} stops on ${signal}: exit 0, its process record closed${role === 'scheduler' || role === 'all' ? ', the writer lock free' : ''}`, async (t) => {
      const root = tempDir(t)
      cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
      const env = { APP_SETTLE_MS: '0' }
      const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
      assert.equal(sync.code, 0, sync.stderr)
      const app = startCli([`--role=${role}`, '--data-dir', 'data', '--plugins-dir', 'plugins', '--port', '0'], { cwd: root, env })
      t.onTestFinished(async () => {
        await app.stop('SIGKILL')
      })
      await app.waitFor(READY[role]!, 60_000)

      assert.equal(await app.stop(signal), 0, app.output())
      assert.match(app.output(), new RegExp(`"signal":"${signal}","msg":"shutting down"`))
      assert.match(app.output(), /"msg":"stopped"/)

      const doctor = await runCli(['doctor', '--json', '--data-dir', 'data'], { cwd: root })
      const checks = JSON.parse(doctor.stdout).checks as Array<{ name: string; status: string; message: string }>
      assert.match(checks.find((c) => c.name === 'generations')!.message, /^0 live process\(es\)/, 'the process marked itself stopped')
      // The writer lock is free again: a one-shot publish takes it (exit 3 if it were still held).
      const after = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
      assert.equal(after.code, 0, after.stderr)
    })
  }
}
