import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

test('a second scheduler exits 3 naming the holder; after kill -9 of the holder a new one starts', async (t) => {
  const root = tempDir(t)
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  writePlugin(join(root, 'plugins'), 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const first = startCli(['--role=scheduler', ...args], { cwd: root })
  t.onTestFinished(async () => {
    await first.stop('SIGKILL')
  })
  await first.waitFor(/scheduler started/)

  const second = await runCli(['--role=scheduler', ...args], { cwd: root })
  assert.equal(second.code, 3)
  assert.match(
    second.stderr,
    new RegExp(`another scheduler holds .*scheduler\\.lock: pid ${first.child.pid} on host \\S+, started \\d{4}-`),
  )
  const sync = await runCli(['plugins', 'sync', ...args], { cwd: root })
  assert.equal(sync.code, 3, 'app plugins sync also needs the writer lock')

  first.child.kill('SIGKILL')
  await first.exited
  const third = startCli(['--role=scheduler', ...args], { cwd: root })
  await third.waitFor(/scheduler started/)
  assert.equal(await third.stop(), 0)
})
