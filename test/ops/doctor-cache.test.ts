// `app doctor` reports how big data/cache is and how much the data dir's filesystem has free, and with
// little free space says what to delete (a real small filesystem: a tmpfs in a private mount namespace).
import assert from 'node:assert/strict'
import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { APP_BIN, ROOT, runCli, tempDir } from '../helpers/cli.ts'
import { shellInTmpfs } from './mount-namespace.ts'

interface Check {
  name: string
  status: 'ok' | 'warn' | 'fail'
  message: string
  fix?: string
}
const find = (stdout: string, name: string) => {
  const c = (JSON.parse(stdout).checks as Check[]).find((x) => x.name === name)
  assert.ok(c, `no "${name}" check in ${stdout}`)
  return c
}

test('app doctor reports the cache size and the free space of the data dir filesystem', async (t) => {
  const root = tempDir(t)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env: { APP_SETTLE_MS: '0' },
  })
  assert.equal(sync.code, 0, sync.stderr)
  const r = await runCli(['doctor', '--json', '--data-dir', 'data'], { cwd: root })
  const cache = find(r.stdout, 'cache')
  assert.match(
    cache.message,
    /^[\d.]+ KiB in 3 plugin bundle\(s\) at \S+\/data\/cache; [\d.]+ [KMGT]iB free on the data directory's filesystem/,
  )
})

test('app doctor on a nearly full filesystem: the cache check warns and says to delete the cache; the disk check names what can go', async (t) => {
  const root = tempDir(t)
  const mount = join(root, 'small')
  mkdirSync(mount)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  const r = await shellInTmpfs(
    'size=16m',
    mount,
    '"$NODE" "$APP" plugins sync --data-dir "$MNT/data" --plugins-dir "$PLUGINS" >/dev/null && exec "$NODE" "$APP" doctor --json --data-dir "$MNT/data"',
    {
      NODE: process.execPath,
      APP: APP_BIN,
      PLUGINS: join(root, 'plugins'),
      APP_SETTLE_MS: '0',
      APP_LOG_LEVEL: 'warn',
    },
  )
  assert.equal(r.code, 1, r.stderr)
  const cache = find(r.stdout, 'cache')
  assert.equal(cache.status, 'warn')
  assert.match(cache.message, /in 3 plugin bundle\(s\) at .*; [\d.]+ MiB free on the data directory's filesystem, below 2\.0 GiB/)
  assert.match(cache.fix!, new RegExp(`Delete ${mount}/data/cache \\(rm -rf ${mount}/data/cache\\) to free [\\d.]+ KiB: it is always safe`))
  const disk = find(r.stdout, 'free disk')
  assert.equal(disk.status, 'fail')
  assert.match(disk.fix!, new RegExp(`delete ${mount}/data/cache \\([\\d.]+ KiB; always safe`))
  assert.match(disk.fix!, /\[store\] keepGenerations/)
  assert.match(disk.fix!, /plugins\.db-wal and runtime\.db-wal \([\d.]+ (bytes|KiB)\) are truncated when the scheduler restarts/)
})
