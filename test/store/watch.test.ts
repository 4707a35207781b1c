import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

type Listed = { generation: number | null; plugins: Array<{ name: string; version: string; status: string }> }

async function waitForList(data: string, ok: (l: Listed) => boolean, timeoutMs = 30_000): Promise<Listed> {
  const deadline = Date.now() + timeoutMs
  let last: Listed | null = null
  while (Date.now() < deadline) {
    const r = await runCli(['plugins', 'list', '--json', '--data-dir', data])
    if (r.code === 0) {
      last = JSON.parse(r.stdout) as Listed
      if (ok(last)) return last
    }
    await new Promise((res) => setTimeout(res, 200))
  }
  throw new Error(`condition not met; last list: ${JSON.stringify(last)}`)
}

test('a running scheduler publishes adds, changes and deletes in its plugins directory', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  writePlugin(plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const scheduler = startCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', plugins], {
    cwd: root,
    env: { APP_SETTLE_MS: '300' },
  })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/scheduler started/)
  await waitForList(data, (l) => l.plugins.length === 1)

  writePlugin(plugins, 'beta', manifest('beta'), { 'index.js': 'export function load() {}' })
  await waitForList(data, (l) => l.plugins.map((p) => p.name).join() === 'alpha,beta')

  writePlugin(plugins, 'alpha', manifest('alpha', { version: '1.1.0' }), { 'index.js': 'export function load() { /* v2 */ }' })
  await waitForList(data, (l) => l.plugins.find((p) => p.name === 'alpha')?.version === '1.1.0')

  rmSync(join(plugins, 'beta'), { recursive: true })
  const last = await waitForList(data, (l) => l.plugins.map((p) => p.name).join() === 'alpha')
  assert.equal(last.plugins[0]!.status, 'ok')
  assert.equal(await scheduler.stop(), 0)
})

test('a plugin still being copied is not published until its files settle', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  const scheduler = startCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', plugins], {
    cwd: root,
    env: { APP_SETTLE_MS: '1500' },
  })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/scheduler started/)
  // Copy in two steps, as a slow `cp -r` would: the manifest first, the module it names 400 ms later.
  writePlugin(plugins, 'slow', manifest('slow'))
  await new Promise((r) => setTimeout(r, 400))
  writeFileSync(join(plugins, 'slow', 'index.js'), 'export function load() {}')
  const listed = await waitForList(data, (l) => l.plugins.length === 1)
  assert.equal(listed.plugins[0]!.status, 'ok')
  // No generation ever held the half-copied plugin (which would have failed with MODULE_NOT_FOUND).
  const show = JSON.parse((await runCli(['plugins', 'show', 'slow', '--json', '--data-dir', data])).stdout)
  assert.deepEqual(
    show.history.map((h: { status: string }) => h.status),
    ['ok'],
  )
  assert.equal(await scheduler.stop(), 0)
})
