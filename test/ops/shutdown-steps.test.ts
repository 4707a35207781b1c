// Shutdown runs every step even when one fails: when marking the process stopped in runtime.db throws
// (as it does on a full disk), the databases are still closed (their WAL checkpointed and removed) and
// the writer lock released, and the role still exits 0.
import assert from 'node:assert/strict'
import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { test } from 'vitest'
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli.ts'

const READY: Record<string, RegExp> = { scheduler: /scheduler started/, worker: /handlers ready/ }

for (const role of ['scheduler', 'worker'] as const) {
  test(`app --role=${role}: a failing process registry update at shutdown does not keep the databases open`, async (t) => {
    const root = tempDir(t)
    cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
    const env = { APP_SETTLE_MS: '0' }
    const args = ['--data-dir', 'data', '--plugins-dir', 'plugins']
    const sync = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
    assert.equal(sync.code, 0, sync.stderr)
    const app = startCli([`--role=${role}`, ...args], { cwd: root, env })
    t.onTestFinished(async () => {
      await app.stop('SIGKILL')
    })
    await app.waitFor(READY[role]!, 60_000)

    // The update that marks the process stopped now fails, as it would with runtime.db on a full disk.
    const runtime = new Database(join(root, 'data', 'runtime.db'))
    runtime.exec(
      "CREATE TRIGGER refuse_stop BEFORE UPDATE OF stopped_at ON processes BEGIN SELECT RAISE(ABORT, 'the registry update failed'); END",
    )
    runtime.close()

    assert.equal(await app.stop('SIGTERM'), 0, app.output())
    assert.match(app.output(), /shutdown: could not mark this process stopped in runtime\.db; continuing with the next step/)
    assert.match(app.output(), /"msg":"stopped"/)
    // Closed by the last connection: SQLite checkpoints the WAL into the database and removes it.
    const data = join(root, 'data')
    const left = ['runtime.db-wal', ...(role === 'scheduler' ? ['plugins.db-wal'] : [])].filter((f) => existsSync(join(data, f)))
    assert.deepEqual(left, [], 'every database was closed')
    if (role === 'scheduler') {
      const after = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
      assert.equal(after.code, 0, after.stderr)
    }
  })
}
