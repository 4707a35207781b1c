import assert from 'node:assert/strict'
import { rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'

// Each test drives the real CLI on its own data and plugins directories.
async function setup(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  const env = { APP_SETTLE_MS: '0' }
  const cli = (...args: string[]) => runCli([...args, '--data-dir', data, '--plugins-dir', plugins], { cwd: root, env })
  const list = async () => {
    const r = await cli('plugins', 'list', '--json')
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as {
      generation: number | null
      plugins: Array<{
        name: string
        version: string
        status: string
        sha256: string
        warnings: Array<{ code: string; severity: string; message: string }>
      }>
    }
  }
  const warnings = async () =>
    JSON.parse((await cli('plugins', 'warnings', '--json')).stdout).warnings as Array<{
      code: string
      plugin: string | null
      severity: string
      message: string
      where: string[]
    }>
  return { root, plugins, data, cli, list, warnings }
}

test('sync publishes a plugin directory as a generation; an unchanged rescan writes nothing', async (t) => {
  const s = await setup(t)
  writePlugin(s.plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'beta', manifest('beta', { version: '2.0.0' }), {
    'index.js': 'export function load() {}',
    'lib/util.js': 'export const x = 1',
  })
  const first = await s.cli('plugins', 'sync')
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /published generation 1 \(2 plugins\)/)
  const listed = await s.list()
  assert.equal(listed.generation, 1)
  assert.deepEqual(
    listed.plugins.map((p) => [p.name, p.version, p.status]),
    [
      ['alpha', '1.0.0', 'ok'],
      ['beta', '2.0.0', 'ok'],
    ],
  )
  assert.match(listed.plugins[0]!.sha256, /^[0-9a-f]{64}$/)

  const again = await s.cli('plugins', 'sync')
  assert.match(again.stdout, /no change: generation 1/)
  assert.equal((await s.list()).generation, 1)
})

test('an update publishes a new generation; a deleted plugin leaves the next one', async (t) => {
  const s = await setup(t)
  writePlugin(s.plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'beta', manifest('beta'), { 'index.js': 'export function load() {}' })
  await s.cli('plugins', 'sync')
  const before = (await s.list()).plugins.find((p) => p.name === 'alpha')!
  writePlugin(s.plugins, 'alpha', manifest('alpha', { version: '1.1.0' }), { 'index.js': 'export function load() { return 2 }' })
  await s.cli('plugins', 'sync')
  const after = await s.list()
  assert.equal(after.generation, 2)
  const alpha = after.plugins.find((p) => p.name === 'alpha')!
  assert.equal(alpha.version, '1.1.0')
  assert.notEqual(alpha.sha256, before.sha256)

  rmSync(join(s.plugins, 'beta'), { recursive: true })
  await s.cli('plugins', 'sync')
  const last = await s.list()
  assert.equal(last.generation, 3)
  assert.deepEqual(
    last.plugins.map((p) => p.name),
    ['alpha'],
  )
  // Old generations are kept for rollback.
  const rolled = await s.cli('plugins', 'rollback', '2')
  assert.equal(rolled.code, 0, rolled.stderr)
  assert.deepEqual(
    (await s.list()).plugins.map((p) => p.name),
    ['alpha', 'beta'],
  )
  // ...and a rescan of unchanged sources does not undo the rollback.
  await s.cli('plugins', 'sync')
  assert.deepEqual(
    (await s.list()).plugins.map((p) => p.name),
    ['alpha', 'beta'],
  )
})

test('a broken manifest is listed as failed with a message naming file, field, expected and found', async (t) => {
  const s = await setup(t)
  writePlugin(
    s.plugins,
    'broken',
    { name: 'Broken Name!', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
    { 'index.js': 'export function load() {}' },
  )
  writePlugin(s.plugins, 'badjson', null, { 'plugin.json': '{"name": "badjson",' })
  writePlugin(s.plugins, 'nomodule', manifest('nomodule', { modules: ['missing.js'] }))
  writePlugin(s.plugins, 'future', manifest('future', { apiVersion: 9 }), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'engine', manifest('engine', { engines: { app: '>=99.0.0' } }), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'noasset', manifest('noasset', { frontend: ['frontend/missing.js'] }), { 'index.js': 'export function load() {}' })
  await s.cli('plugins', 'sync')
  const { plugins } = await s.list()
  const byName = Object.fromEntries(plugins.map((p) => [p.name, p]))
  assert.equal(byName.broken!.status, 'error')
  const invalid = byName.broken!.warnings[0]!
  assert.equal(invalid.code, 'MANIFEST_INVALID')
  assert.match(invalid.message, /broken\/plugin\.json: field "name" is invalid: expected lowercase.*found "Broken Name!"/)
  assert.equal(byName.badjson!.warnings[0]!.code, 'MANIFEST_INVALID')
  assert.match(byName.badjson!.warnings[0]!.message, /not valid JSON/)
  assert.equal(byName.nomodule!.warnings[0]!.code, 'MODULE_NOT_FOUND')
  assert.match(byName.nomodule!.warnings[0]!.message, /modules\[0\] is "missing\.js"/)
  assert.equal(byName.future!.warnings[0]!.code, 'API_VERSION_UNSUPPORTED')
  assert.equal(byName.engine!.warnings[0]!.code, 'ENGINE_MISMATCH')
  assert.match(byName.engine!.warnings[0]!.message, />=99\.0\.0/)
  assert.equal(byName.noasset!.status, 'warning')
  assert.equal(byName.noasset!.warnings[0]!.code, 'FRONTEND_ASSET_MISSING')
  for (const name of ['broken', 'badjson', 'nomodule', 'future', 'engine']) assert.equal(byName[name]!.status, 'error', name)
})

test('a rejected update keeps the last good version, with UPDATE_REJECTED saying why', async (t) => {
  const s = await setup(t)
  writePlugin(s.plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  await s.cli('plugins', 'sync')
  writePlugin(s.plugins, 'alpha', manifest('alpha', { version: '2.0.0', modules: ['gone.js'] }))
  await s.cli('plugins', 'sync')
  const alpha = (await s.list()).plugins[0]!
  assert.equal(alpha.version, '1.0.0')
  assert.equal(alpha.status, 'warning')
  const rejected = alpha.warnings.find((w) => w.code === 'UPDATE_REJECTED')
  assert.ok(rejected, JSON.stringify(alpha.warnings))
  assert.match(rejected.message, /update of alpha to 2\.0\.0 .* was rejected, so 1\.0\.0 stays loaded: MODULE_NOT_FOUND/)
  // The rejection is stable: rescanning does not publish again.
  const gen = (await s.list()).generation
  await s.cli('plugins', 'sync')
  assert.equal((await s.list()).generation, gen)
})

test('links are refused, not followed; names must be unique; folders without plugin.json are reported once', async (t) => {
  const s = await setup(t)
  writeFileSync(join(s.root, 'secret.txt'), 'do not publish me')
  const dir = writePlugin(s.plugins, 'linky', manifest('linky'), { 'index.js': 'export function load() {}' })
  symlinkSync(join(s.root, 'secret.txt'), join(dir, 'secret.txt'))
  writePlugin(s.plugins, 'a-first', manifest('same'), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'b-second', manifest('same'), { 'index.js': 'export function load() {}' })
  writePlugin(s.plugins, 'just-a-folder', null, { 'README.md': 'hi' })
  await s.cli('plugins', 'sync')
  const { plugins } = await s.list()
  const linky = plugins.find((p) => p.name === 'linky')!
  assert.equal(linky.status, 'error')
  assert.equal(linky.warnings[0]!.code, 'BUNDLE_UNSAFE')
  assert.match(linky.warnings[0]!.message, /secret\.txt is a symbolic link/)
  const warnings = await s.warnings()
  const conflict = warnings.find((w) => w.code === 'NAME_CONFLICT')!
  assert.match(conflict.message, /a-first.*is used and .*b-second.*is ignored/)
  const notPlugin = warnings.filter((w) => w.code === 'NOT_A_PLUGIN')
  assert.equal(notPlugin.length, 1)
  assert.equal(notPlugin[0]!.severity, 'info')
  assert.match(notPlugin[0]!.message, /just-a-folder has no plugin\.json/)
  assert.deepEqual(notPlugin[0]!.where, ['ingest'])
})

test('plugins over the limits are refused with BUNDLE_TOO_LARGE naming the limit', async (t) => {
  const s = await setup(t)
  writePlugin(s.plugins, 'big', manifest('big'), {
    'index.js': 'export function load() {}',
    'a.bin': Buffer.alloc(4096),
    'b.bin': Buffer.alloc(4096),
  })
  const r = await runCli(['plugins', 'sync', '--data-dir', s.data, '--plugins-dir', s.plugins], {
    env: { APP_SETTLE_MS: '0' },
    cwd: s.root,
  })
  assert.equal(r.code, 0)
  writeFileSync(join(s.root, 'app.toml'), '[limits]\nmaxBytes = 5000\n')
  writePlugin(s.plugins, 'big', manifest('big', { version: '1.0.1' }), { 'c.bin': Buffer.alloc(10) })
  await s.cli('plugins', 'sync')
  const big = (await s.list()).plugins[0]!
  // The first version stays; the oversized update is rejected with the limit named.
  assert.equal(big.version, '1.0.0')
  const reason = big.warnings.find((w) => w.code === 'BUNDLE_TOO_LARGE')!
  assert.match(reason.message, /more than 5000 bytes unpacked.*limits\.maxBytes/)
})
