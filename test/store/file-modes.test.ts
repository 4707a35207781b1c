import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { APP_BIN, manifest, runCommand, startCommand, tempDir, writePlugin } from '../helpers/cli.ts'

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0')
/** `app ...` run by hand from a shell with the usual umask, which alone would make files 0644 and directories 0755. */
const underUmask022 = (args: string[]) => ['-c', `umask 022; touch control-file; exec "$0" "$@"`, process.execPath, APP_BIN, ...args]

test('databases, their -wal/-shm, the lock, the admin token and backups are created 0600 and their directories 0700, even with umask 022', async (t) => {
  const root = tempDir(t)
  writePlugin(join(root, 'plugins'), 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const env = { ...process.env, APP_LOG_LEVEL: 'info', APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: '' }
  const app = startCommand('sh', underUmask022(['--role=all', '--port', '0', '--data-dir', 'data', '--plugins-dir', 'plugins']), {
    cwd: root,
    env,
  })
  t.onTestFinished(async () => {
    await app.stop('SIGKILL')
  })
  await app.waitFor(/"msg":"web ready"/, 60_000)
  await app.waitFor(/"msg":"handlers ready"/, 60_000)
  assert.equal(mode(join(root, 'control-file')), '0644', 'the umask was 022')

  const data = join(root, 'data')
  const expected: Record<string, string> = { data: '0700', 'data/cache': '0700' }
  for (const f of [
    'plugins.db',
    'plugins.db-wal',
    'plugins.db-shm',
    'runtime.db',
    'runtime.db-wal',
    'runtime.db-shm',
    'scheduler.lock',
    'scheduler.lock.json',
    'admin-token',
  ])
    expected[`data/${f}`] = '0600'
  const found = Object.fromEntries(Object.keys(expected).map((p) => [p, mode(join(root, p))]))
  assert.deepEqual(found, expected)
  const bundle = readdirSync(join(data, 'cache')).find((n) => /^[0-9a-f]{64}$/.test(n))
  assert.ok(bundle, 'a plugin bundle was materialized in the cache')

  // A backup taken by hand, into a directory that does not exist yet.
  const backup = await runCommand('sh', underUmask022(['backup', 'backups/today', '--data-dir', 'data']), {
    cwd: root,
    env: { ...env, APP_LOG_LEVEL: 'warn' },
  })
  assert.equal(backup.code, 0, backup.stderr)
  const copies = readdirSync(join(root, 'backups/today')).sort()
  assert.deepEqual(copies, ['backup.json', 'plugins.db', 'runtime.db'])
  assert.deepEqual(
    Object.fromEntries(['backups', 'backups/today', ...copies.map((c) => `backups/today/${c}`)].map((p) => [p, mode(join(root, p))])),
    {
      backups: '0700',
      'backups/today': '0700',
      'backups/today/backup.json': '0600',
      'backups/today/plugins.db': '0600',
      'backups/today/runtime.db': '0600',
    },
  )
  assert.equal(await app.stop(), 0)
})
