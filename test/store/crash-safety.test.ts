import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import Database from 'better-sqlite3'
import { APP_BIN, manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'

/** A plugin of many files, so a publish takes long enough to be killed in the middle. */
function writeLargePlugin(pluginsDir: string, version: string) {
  const files: Record<string, Buffer | string> = { 'index.js': `export const version = '${version}'\nexport function load() {}` }
  for (let i = 0; i < 1500; i++) files[`data/f${i}.bin`] = Buffer.alloc(16 * 1024, `${version}-${i}`)
  writePlugin(pluginsDir, 'large', manifest('large', { version }), files)
}

/** Resolves true once the WAL has grown 256 KiB past its smallest size since the child started, false if the child exits first. */
async function writing(wal: string, child: ChildProcess): Promise<boolean> {
  let smallest = Number.POSITIVE_INFINITY
  while (child.exitCode === null) {
    const size = existsSync(wal) ? statSync(wal).size : 0
    smallest = Math.min(smallest, size)
    if (size - smallest >= 256 * 1024) return true
    await new Promise((r) => setTimeout(r, 2))
  }
  return false
}

test('kill -9 in the middle of publishing never corrupts the store or leaves a mixed generation', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  const env = { ...process.env, APP_SETTLE_MS: '0', APP_LOG_LEVEL: 'warn' }
  writePlugin(plugins, 'small', manifest('small'), { 'index.js': 'export function load() {}' })
  writeLargePlugin(plugins, '1.0.0')
  assert.equal((await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], { env: { APP_SETTLE_MS: '0' } })).code, 0)

  // Each sync is killed a little after its write transaction has begun (the WAL grows by 256 KiB), so the
  // kills land mid-publish however fast or slow the machine is; the extra delays spread them through it.
  const delays = [0, 5, 20, 50, 0, 10, 30, 80]
  let killedMidway = 0
  for (const [i, delayMs] of delays.entries()) {
    writeLargePlugin(plugins, `1.0.${i + 1}`)
    const child = spawn(process.execPath, [APP_BIN, 'plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], {
      env,
      stdio: 'ignore',
    })
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    if (await writing(join(data, 'plugins.db-wal'), child)) {
      await new Promise((r) => setTimeout(r, delayMs))
      if (child.exitCode === null) {
        child.kill('SIGKILL')
        killedMidway++
      }
    }
    await exited

    const db = new Database(join(data, 'plugins.db'), { readonly: true })
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
      const gen = db.prepare('SELECT max(id) AS id FROM generations').get() as { id: number }
      const rows = db
        .prepare(`SELECT gp.name, v.version, v.bundle_sha256, b.files FROM generation_plugins gp
        JOIN plugin_versions v ON v.id = gp.plugin_version JOIN bundles b ON b.sha256 = v.bundle_sha256 WHERE gp.generation_id = ?`)
        .all(gen.id) as Array<{ name: string; version: string; files: string }>
      assert.deepEqual(rows.map((r) => r.name).sort(), ['large', 'small'])
      const large = rows.find((r) => r.name === 'large')!
      // Old or new, never in between: the version is one we wrote, and every file of its bundle is stored.
      // (an earlier interrupted sync may have left an older one current: any version written so far).
      const patch = Number(/^1\.0\.(\d+)$/.exec(large.version)?.[1])
      assert.ok(patch >= 0 && patch <= i + 1, `unexpected version ${large.version}`)
      const files = JSON.parse(large.files) as Array<[string, number, string, number]>
      assert.equal(files.length, 1502)
      const missing = db
        .prepare('SELECT count(*) AS n FROM json_each(?) AS f WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE sha256 = f.value ->> 2)')
        .get(large.files) as { n: number }
      assert.equal(missing.n, 0)
    } finally {
      db.close()
    }
  }
  // The loop is only meaningful if publishes were really interrupted.
  assert.ok(killedMidway >= 4, `only ${killedMidway} syncs were killed before finishing`)
  // And the store still works: a clean sync brings it to the newest version.
  assert.equal((await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], { env: { APP_SETTLE_MS: '0' } })).code, 0)
  const list = JSON.parse((await runCli(['plugins', 'list', '--json', '--data-dir', data])).stdout)
  assert.equal(list.plugins.find((p: { name: string }) => p.name === 'large').version, `1.0.${delays.length}`)
})
