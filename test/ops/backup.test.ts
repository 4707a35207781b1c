import assert from 'node:assert/strict'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, ROOT, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

interface Listed {
  generation: number
  plugins: Array<{ name: string; version: string }>
}

test('app backup while every role runs and plugins keep changing: verified copies that restore to a working data dir', async (t) => {
  const root = tempDir(t)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  const env = { APP_SETTLE_MS: '0' }
  const app = startCli(['--role=all', '--data-dir', 'data', '--plugins-dir', 'plugins', '--port', '0'], { cwd: root, env })
  t.onTestFinished(async () => {
    await app.stop('SIGKILL')
  })
  await app.waitFor(/web ready/, 60_000)

  // The scheduler publishes a new generation for each version while the backups run.
  let writing = true
  const writer = (async () => {
    for (let i = 1; writing; i++) {
      writePlugin(join(root, 'plugins'), 'churn', manifest('churn', { version: `1.0.${i}` }), {
        'index.js': `export function load() {}\n// ${'x'.repeat(i * 100)}`,
      })
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  const backups: string[] = []
  try {
    for (let i = 0; i < 4; i++) {
      const dir = join(root, `backup-${i}`)
      const r = await runCli(['backup', dir, '--json', '--data-dir', 'data'], { cwd: root })
      assert.equal(r.code, 0, r.stderr)
      const result = JSON.parse(r.stdout) as { generation: number; files: Array<{ file: string; sha256: string }> }
      assert.deepEqual(
        result.files.map((f) => f.file),
        [join(dir, 'plugins.db'), join(dir, 'runtime.db')],
      )
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8')), result)
      backups.push(dir)
    }
  } finally {
    writing = false
    await writer
  }

  const generations = backups.map(
    (dir) => (JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8')) as { generation: number }).generation,
  )
  assert.ok(new Set(generations).size > 1, `the store changed between the backups: generations ${generations}`)

  // Restore each backup as README says: copy the two files into an empty data dir.
  for (const dir of backups) {
    const restored = join(dir, 'restored')
    mkdirSync(restored)
    for (const f of ['plugins.db', 'runtime.db']) copyFileSync(join(dir, f), join(restored, f))
    assert.equal(existsSync(join(dir, 'plugins.db-wal')), false, 'a backup is self-contained: no WAL beside it')
    const manifestJson = JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8')) as { generation: number }
    const list = await runCli(['plugins', 'list', '--json', '--data-dir', restored])
    assert.equal(list.code, 0, list.stderr)
    const listed = JSON.parse(list.stdout) as Listed
    assert.equal(listed.generation, manifestJson.generation)
    for (const name of ['instance-type-blacklist', 'ops-banner', 'start-resource-later'])
      assert.ok(
        listed.plugins.some((p) => p.name === name),
        name,
      )
    const doctor = await runCli(['doctor', '--json', '--data-dir', restored])
    const checks = JSON.parse(doctor.stdout).checks as Array<{ name: string; status: string }>
    for (const c of checks.filter((c) => /^(plugins|runtime)\.db/.test(c.name)))
      assert.equal(c.status, 'ok', `${dir}: ${JSON.stringify(c)}`)
  }
  assert.equal(await app.stop('SIGTERM'), 0)
})

test('app backup refuses a non-empty directory (exit 2) and a data dir without a store (exit 4)', async (t) => {
  const root = tempDir(t)
  mkdirSync(join(root, 'taken'))
  writeFileSync(join(root, 'taken', 'keep.txt'), 'mine')
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env: { APP_SETTLE_MS: '0' },
  })
  assert.equal(sync.code, 0, sync.stderr)

  const taken = await runCli(['backup', 'taken', '--data-dir', 'data'], { cwd: root })
  assert.equal(taken.code, 2)
  assert.match(taken.stderr, /backup directory .*taken is not empty; a backup never overwrites files/)
  assert.equal(readFileSync(join(root, 'taken', 'keep.txt'), 'utf8'), 'mine')

  const empty = await runCli(['backup', 'out', '--data-dir', 'nothing-here'], { cwd: root })
  assert.equal(empty.code, 4)
  assert.match(empty.stderr, /plugin store .*nothing-here\/plugins\.db does not exist: nothing to back up/)
  assert.equal(existsSync(join(root, 'out')), false, 'nothing is created when there is nothing to copy')
})
