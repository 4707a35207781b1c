// The scheduler keeps data/cache from growing without bound (DESIGN section 2: the cache is disposable):
// at start, after each publish and periodically it removes bundles no kept generation needs and temp
// leftovers of interrupted writes, and never a bundle that a running process loaded.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { sha256 } from '../../src/bundle/hash-bundle.ts'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

function setup(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  const cache = join(root, 'data', 'cache')
  // Files are written one by one: the scheduler waits until they settle, so each change is one publish.
  const env = { APP_SETTLE_MS: '300' }
  const args = (config: string) => ['--data-dir', 'data', '--plugins-dir', 'plugins', '--config', config]
  const start = (role: string, config: string) => {
    const p = startCli([`--role=${role}`, ...args(config), '--port', '0'], { cwd: root, env })
    t.onTestFinished(async () => {
      await p.stop('SIGKILL')
    })
    return p
  }
  const config = (name: string, text: string) => {
    writeFileSync(join(root, name), text)
    return name
  }
  /** A directory in the cache that no generation names, as a failed publish's dry run leaves it. */
  const junk = (name: string) => {
    const dir = join(cache, sha256(name))
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'index.js'), 'export function load() {}')
    return dir
  }
  const bundles = () => readdirSync(cache).filter((n) => /^[0-9a-f]{64}$/.test(n))
  return { root, plugins, cache, env, args, start, config, junk, bundles }
}

test('the scheduler collects the cache at start and after each publish, never a bundle a running worker loaded', async (t) => {
  const s = setup(t)
  const conf = s.config('app.toml', '[store]\nkeepGenerations = 1\n')
  writePlugin(s.plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() { return 1 }' })
  const sync = await runCli(['plugins', 'sync', ...s.args(conf)], { cwd: s.root, env: s.env })
  assert.equal(sync.code, 0, sync.stderr)
  const [v1] = s.bundles()
  const atStart = s.junk('left by a failed publish')
  const leftover = join(s.cache, `.tmp-${'a'.repeat(12)}-999999999-0-abcdef`) // pid 999999999 does not run
  mkdirSync(leftover)

  const scheduler = s.start('scheduler', conf)
  await scheduler.waitFor(/scheduler started/, 60_000)
  assert.ok(!existsSync(atStart), 'collected at start')
  assert.ok(!existsSync(leftover), "an interrupted write's temp dir is collected")
  assert.ok(existsSync(join(s.cache, v1!)))

  const worker = s.start('worker', conf)
  await worker.waitFor(/handlers ready/, 60_000)
  const afterPublish = s.junk('left by another failed publish')
  writePlugin(s.plugins, 'alpha', manifest('alpha', { version: '2.0.0' }), { 'index.js': 'export function load() { return 2 }' })
  await waitUntil('the publish of alpha 2.0.0 to collect the cache', () => !existsSync(afterPublish) && s.bundles().length === 2)
  assert.ok(existsSync(join(s.cache, v1!)), 'generation 1 is older than keepGenerations 1, but the worker still runs it')

  assert.equal(await worker.stop(), 0, worker.output())
  writePlugin(s.plugins, 'beta', manifest('beta'), { 'index.js': 'export function load() {}' })
  await waitUntil('the next publish to collect alpha 1.0.0', () => !existsSync(join(s.cache, v1!)) && s.bundles().length === 2) // alpha 2.0.0 and beta
  assert.equal(await scheduler.stop(), 0, scheduler.output())
})

test('the scheduler also collects periodically ([store] cacheCollectMs), without a publish', async (t) => {
  const s = setup(t)
  const conf = s.config('app.toml', '[store]\ncacheCollectMs = 300\n')
  writePlugin(s.plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const scheduler = s.start('scheduler', conf)
  await scheduler.waitFor(/scheduler started/, 60_000)
  const later = s.junk('appeared while the scheduler ran')
  await waitUntil('the periodic collection', () => !existsSync(later), 10_000)
  assert.equal(s.bundles().length, 1)
  assert.doesNotMatch(scheduler.output(), /published plugin generation[\s\S]*published plugin generation/, 'no second publish was needed')
})
