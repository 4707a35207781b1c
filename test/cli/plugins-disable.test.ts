// `app plugins disable|enable <name>`: the CLI queues the request in runtime.db and the running scheduler
// (its own process, the only writer of plugins.db) applies it; without a scheduler the request waits.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

test('disable and enable through a running scheduler; unknown names exit 1; with no scheduler the request stays queued', async (t) => {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  for (const name of ['alpha', 'beta']) writePlugin(plugins, name, manifest(name), { 'index.js': 'export function load() {}\n' })
  const args = ['--data-dir', data, '--plugins-dir', plugins]
  const scheduler = startCli(['--role=scheduler', ...args], { cwd: root, env: { APP_SETTLE_MS: '0' } })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/"msg":"scheduler started"/, 60_000)

  const off = await runCli(['plugins', 'disable', 'alpha', ...args], { cwd: root })
  assert.equal(off.code, 0, off.stderr)
  assert.match(off.stdout, /^disabled alpha 1\.0\.0: generation 2 leaves it out until it is enabled; .* \(request #1\)\n$/)
  const list = JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout) as {
    plugins: Array<{ name: string }>
  }
  assert.deepEqual(
    list.plugins.map((p) => p.name),
    ['beta'],
  )

  const on = await runCli(['plugins', 'enable', 'alpha', '--json', ...args], { cwd: root })
  assert.equal(on.code, 0, on.stderr)
  const request = JSON.parse(on.stdout) as { id: number; action: string; status: string; generation: number; requestedBy: string }
  assert.deepEqual([request.id, request.action, request.status, request.generation], [2, 'enable', 'done', 3])
  assert.match(request.requestedBy, /\(CLI\)$/)

  const unknown = await runCli(['plugins', 'disable', 'nope', ...args], { cwd: root })
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /no plugin named "nope" in generation 3, and none disabled by that name; plugins: alpha, beta/)
  assert.equal((await runCli(['plugins', 'disable', 'alpha', '--wait', 'soon', ...args], { cwd: root })).code, 2)

  assert.equal(await scheduler.stop(), 0)
  const queued = await runCli(['plugins', 'disable', 'beta', '--wait', '1', ...args], { cwd: root })
  assert.equal(queued.code, 0, queued.stderr)
  assert.match(
    queued.stdout,
    /request #3 to disable beta is queued: no scheduler applied it within 1 s\. The scheduler \(app --role=scheduler\) applies it when it runs/,
  )
  // The next scheduler applies it as it starts up.
  const next = startCli(['--role=scheduler', ...args], { cwd: root, env: { APP_SETTLE_MS: '0' } })
  t.onTestFinished(async () => {
    await next.stop('SIGKILL')
  })
  await next.waitFor(/plugin request done: disabled beta 1\.0\.0/, 30_000)
})
