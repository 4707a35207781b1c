// `app plugin dev <dir>` (DESIGN 5b): every role on a temporary data dir that follows the folder as it is saved.
// It prints the admin URL and token, each published generation and each new warning once; a save is published
// and reloaded without a restart; Ctrl-C (SIGINT) stops it with exit 0 and removes the temporary data dir.
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli, startCli, tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test('plugin dev: URL and token printed, a saved change republished and reloaded with its warning printed once, SIGINT exits 0 and leaves no temp dir', async (t) => {
  const root = tempDir(t, 'app-plugin-dev-')
  const tmp = join(root, 'tmp')
  mkdirSync(tmp)
  assert.equal((await runCli(['plugin', 'init', 'dev-one'], { cwd: root })).code, 0)
  const dev = startCli(['plugin', 'dev', 'dev-one', '--port', '0', '--log-level', 'warn'], { cwd: root, env: { TMPDIR: tmp } })
  t.onTestFinished(async () => {
    await dev.stop('SIGKILL')
  })
  const [, url] = await dev.waitFor(/dev: admin (http:\/\/127\.0\.0\.1:\d+)\/settings\/integrations\/plugins/)
  const [, token] = await dev.waitFor(/dev: token (\S+)/)
  await dev.waitFor(/dev: generation 1 published: dev-one 0\.1\.0 \(ok\)/)
  const plugins = await fetch(`${url}/api/v1/plugins`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(plugins.status, 200)
  assert.match(await plugins.text(), /"dev-one"/)
  assert.equal(readdirSync(tmp).length, 1, 'one temporary directory while it runs')

  // A save: a route, and a deprecated name the publish dry run reports.
  const file = join(root, 'dev-one/index.js')
  const source = readFileSync(file, 'utf8')
    .replace('import { BotFactoryRegistryWrapper,', 'import { DivvyDbObjects, Hono, registerApiBlueprint, BotFactoryRegistryWrapper,')
    .replace(
      'export function load() {',
      "export function load() {\n  void DivvyDbObjects.resources\n  registerApiBlueprint(new Hono().get('/version', (c) => c.text('saved')))",
    )
  writeFileSync(file, source)
  await dev.waitFor(/dev: generation 2 published: dev-one 0\.1\.0 \(warning\)/)
  await dev.waitFor(/dev: warning DEPRECATED_API dev-one 0\.1\.0: DivvyDbObjects is deprecated/)
  await waitUntil(
    "the web role to serve the saved version's route",
    async () => (await fetch(`${url}/plugin/dev-one/version`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
    15_000,
  )
  assert.equal(
    await (await fetch(`${url}/plugin/dev-one/version`, { headers: { authorization: `Bearer ${token}` } })).text(),
    'saved',
    'the web role reloaded the saved version',
  )

  assert.equal(await dev.stop('SIGINT'), 0, dev.output())
  assert.equal(dev.output().match(/DEPRECATED_API/g)?.length, 1, 'each warning is printed once')
  assert.deepEqual(readdirSync(tmp), [], 'the temporary data dir is gone')
})
