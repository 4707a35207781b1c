import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { APP_VERSION } from '../../src/version.ts'
import pkg from '../../package.json' with { type: 'json' }

test('--help answers on every command and exits 0', async () => {
  for (const args of [['--help'], ['plugins', '--help'], ['plugins', 'list', '--help'], ['plugins', 'sync', '--help']]) {
    const r = await runCli(args)
    assert.equal(r.code, 0, args.join(' '))
    assert.match(r.stdout, /Usage: app/)
  }
  const root = await runCli(['--help'])
  assert.match(root.stdout, /--role <role>/)
  assert.match(root.stdout, /--data-dir <dir>/)
})

test('typos get a suggestion and exit 2', async () => {
  const cmd = await runCli(['plugin', 'list'])
  assert.equal(cmd.code, 2)
  assert.match(cmd.stderr, /unknown command "plugin list"\. Did you mean "app plugins list"\?/)
  const sub = await runCli(['plugins', 'lsit'])
  assert.equal(sub.code, 2)
  assert.match(sub.stderr, /Did you mean list\?/)
  const opt = await runCli(['--data-dri', 'x'])
  assert.equal(opt.code, 2)
  assert.match(opt.stderr, /unknown option '--data-dri'[\s\S]*Did you mean --data-dir\?/)
  const role = await runCli(['--role=schedular'])
  assert.equal(role.code, 2)
  assert.match(role.stderr, /Allowed choices are scheduler, worker, web, all/)
  const none = await runCli([])
  assert.equal(none.code, 2)
})

test('app version matches package.json', async () => {
  assert.equal(APP_VERSION, pkg.version)
  const r = await runCli(['version', '--json'])
  assert.equal(JSON.parse(r.stdout).app, pkg.version)
})

test('config precedence: defaults < app.toml < APP_* env < flags', async (t) => {
  const root = tempDir(t)
  for (const d of ['toml', 'env', 'flag'])
    writePlugin(join(root, `plugins-${d}`), d, manifest(d), { 'index.js': 'export function load() {}' })
  writeFileSync(join(root, 'app.toml'), `dataDir = "data-toml"\npluginsDir = "plugins-toml"\n`)
  const names = async (env: Record<string, string>, flags: string[]) => {
    const sync = await runCli(['plugins', 'sync', ...flags], { cwd: root, env: { APP_SETTLE_MS: '0', ...env } })
    assert.equal(sync.code, 0, sync.stderr)
    return JSON.parse((await runCli(['plugins', 'list', '--json', ...flags], { cwd: root, env })).stdout).plugins.map(
      (p: { name: string }) => p.name,
    )
  }
  assert.deepEqual(await names({}, []), ['toml'])
  assert.deepEqual(await names({ APP_PLUGINS_DIR: 'plugins-env', APP_DATA_DIR: 'data-env' }, []), ['env'])
  assert.deepEqual(
    await names({ APP_PLUGINS_DIR: 'plugins-env', APP_DATA_DIR: 'data-env' }, ['--plugins-dir', 'plugins-flag', '--data-dir', 'data-flag']),
    ['flag'],
  )
})

test('invalid config exits 2 naming the key, what was expected and what was found', async (t) => {
  const root = tempDir(t)
  mkdirSync(join(root, 'plugins'))
  writeFileSync(join(root, 'app.toml'), `[limits]\nmaxFiles = "lots"\n`)
  const r = await runCli(['plugins', 'sync'], { cwd: root })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /config file app\.toml/)
  assert.match(r.stderr, /limits\.maxFiles: .*expected number.*found "lots"/)

  const env = await runCli(['plugins', 'list'], { cwd: root, env: { APP_PORT: 'eighty', APP_CONFIG: join(root, 'missing.toml') } })
  assert.equal(env.code, 2)
  assert.match(env.stderr, /cannot read config file .*missing\.toml/)

  writeFileSync(join(root, 'app.toml'), `prot = 8080\n`)
  const unknown = await runCli(['plugins', 'list'], { cwd: root })
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown key\(s\) prot/)

  writeFileSync(join(root, 'app.toml'), '')
  const badPort = await runCli(['plugins', 'list', '--port', 'http'], { cwd: root })
  assert.equal(badPort.code, 2)
  assert.match(badPort.stderr, /port: .*found "http"/)
})
