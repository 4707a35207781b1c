// The single executable: `npm run build` makes dist/app, and dist/app behaves like `npx app` with an empty
// environment, from any directory: every role, the admin page, the CLI, plugin code in worker threads.
import { SEED_BOT } from '../helpers/seed-bot.ts'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, test } from 'vitest'
import { ROOT, tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { shellInTmpfs } from '../ops/mount-namespace.ts'
import { DIST_APP, DIST_CJS, run, start } from './run-command.ts'

const SAMPLES = ['instance-type-blacklist', 'ops-banner', 'start-resource-later']

// The build is a step of its own (`npm run build`; `npm test` runs it first when the sources are newer).
beforeAll(() => {
  assert.ok(existsSync(DIST_APP), `${DIST_APP} is missing: run \`npm run build\` first (\`npm test\` does it for you)`)
  accessSync(DIST_APP, constants.X_OK)
})

/** A data dir, a copy of the sample plugins, and an unrelated working directory, under one temp dir. */
function install(t: { onTestFinished(fn: () => unknown): void }) {
  const root = tempDir(t, 'app-bin-')
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  mkdirSync(join(root, 'elsewhere'))
  return { root, data: join(root, 'data'), plugins: join(root, 'plugins'), cwd: join(root, 'elsewhere') }
}

// bin/app.js too (what `npm start` runs): the rest of the end-to-end tier starts the bundle when it is fresh.
const commands = [
  { name: 'dist/app', command: DIST_APP, prefix: [] as string[] },
  { name: 'node dist/app.cjs', command: process.execPath, prefix: [DIST_CJS] },
  { name: 'node bin/app.js', command: process.execPath, prefix: [join(ROOT, 'bin/app.js')] },
]

for (const { name, command, prefix } of commands) {
  test(`${name} --role=all with an empty environment: /readyz, the plugins page, \`plugins list --json\`, exit 0 on SIGTERM`, async (t) => {
    const { data, plugins, cwd } = install(t)
    // Published before the roles start, so the web process loads the plugins (plugins load on start only).
    const sync = await run(command, [...prefix, 'plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], { cwd, env: {} })
    assert.equal(sync.code, 0, sync.stderr)
    const app = start(command, [...prefix, '--role=all', '--data-dir', data, '--plugins-dir', plugins, '--port', '0'], { cwd, env: {} })
    t.onTestFinished(async () => {
      await app.stop('SIGKILL')
    })
    const [, port] = await app.waitFor(/http:\/\/127\.0\.0\.1:(\d+)/)
    const base = `http://127.0.0.1:${port}`
    await waitUntil('/readyz to answer 200', async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 60_000)

    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim()
    const page = await fetch(`${base}/settings/integrations/plugins`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(page.status, 200)
    const html = await page.text()
    for (const plugin of SAMPLES) assert.match(html, new RegExp(plugin), `the plugins page lists ${plugin}`)
    assert.match(html, /Manage Plugin/)
    // Plugin code in the web process: a route built with the host's Hono from the virtual module `app/plugin`.
    const route = await fetch(`${base}/plugin/ops-banner/status`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(route.status, 200)
    assert.equal(((await route.json()) as { onCall: string }).onCall, 'platform-team')
    assert.notEqual(
      (await fetch(`${base}/settings/integrations/plugins`, { redirect: 'manual' })).status,
      200,
      'the page needs the admin token',
    )

    const list = await run(command, [...prefix, 'plugins', 'list', '--json', '--data-dir', data], { cwd, env: {} })
    assert.equal(list.code, 0, list.stderr)
    const listed = JSON.parse(list.stdout) as { generation: number; plugins: Array<{ name: string; status: string }> }
    assert.deepEqual(listed.plugins.map((p) => p.name).sort(), SAMPLES)
    assert.ok(
      listed.plugins.every((p) => p.status === 'ok'),
      list.stdout,
    )

    assert.equal(await app.stop('SIGTERM'), 0, app.output())
    assert.match(app.output(), /"msg":"stopped"/)
  })
}

test('dist/app writes its SQLite addon once into the data dir, named by content hash, and reuses it', async (t) => {
  const { data, plugins, cwd } = install(t)
  const sync = await run(DIST_APP, ['plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], { cwd, env: {} })
  assert.equal(sync.code, 0, sync.stderr)
  const [hash] = readdirSync(join(data, 'native'))
  const addon = join(data, 'native', hash!, 'better_sqlite3.node')
  assert.equal(createHash('sha256').update(readFileSync(addon)).digest('hex'), hash)
  assert.deepEqual(readFileSync(addon), readFileSync(join(ROOT, 'dist/better_sqlite3.node')))
  const written = statSync(addon).mtimeMs
  const list = await run(DIST_APP, ['plugins', 'list', '--data-dir', data], { cwd, env: {} })
  assert.equal(list.code, 0, list.stderr)
  assert.equal(statSync(addon).mtimeMs, written, 'a second start loads the file it wrote before')
})

test('dist/app runs plugin code in worker threads: the seed flow (bot -> events -> resources started)', async (t) => {
  const { root, data, plugins, cwd } = install(t)
  const env = { APP_SETTLE_MS: '0' }
  const app = start(DIST_APP, ['--role=all', '--data-dir', data, '--plugins-dir', plugins, '--port', '0'], { cwd, env })
  t.onTestFinished(async () => {
    await app.stop('SIGKILL')
  })
  await app.waitFor(/handlers ready/)
  const cli = (...args: string[]) => run(DIST_APP, [...args, '--data-dir', data], { cwd, env })
  const imported = await cli('resources', 'import', join(ROOT, 'examples/resources.json'))
  assert.equal(imported.code, 0, imported.stderr)
  writeFileSync(join(root, 'bots.json'), JSON.stringify([SEED_BOT]))
  const applied = await cli('bots', 'apply', join(root, 'bots.json'))
  assert.equal(applied.code, 0, applied.stderr)
  await waitUntil(
    'the stopped instances to be started by the plugin handler',
    async () => {
      const listed = await cli('resources', 'list', '--json')
      const states = Object.fromEntries(
        (JSON.parse(listed.stdout).resources as Array<{ id: string; state: string }>).map((r) => [r.id, r.state]),
      )
      return states['i-0a1'] === 'running' && states['i-0b7'] === 'running' ? states : null
    },
    90_000,
  )
  assert.equal(await app.stop('SIGTERM'), 0, app.output())
})

test('dist/app on a noexec data dir: a clear error naming APP_NATIVE_DIR and a directory to use; APP_NATIVE_DIR fixes it', async (t) => {
  const { root, plugins } = install(t)
  const mount = join(root, 'noexec')
  const nativeDir = join(root, 'native')
  mkdirSync(mount)
  const data = join(mount, 'data')
  const inNoexecMount = (script: string, env: Record<string, string> = {}) =>
    shellInTmpfs('noexec', mount, script, { APP: DIST_APP, DATA: data, PLUGINS: plugins, ...env })

  const refused = await inNoexecMount('exec "$APP" plugins sync --data-dir "$DATA" --plugins-dir "$PLUGINS"')
  assert.equal(refused.code, 1, refused.stderr)
  assert.match(refused.stderr, new RegExp(`native addon directory ${join(data, 'native')}`))
  assert.match(refused.stderr, /noexec/)
  assert.match(refused.stderr, /Set APP_NATIVE_DIR=\/\S+/, 'names a directory to use instead')
  const doctor = await inNoexecMount('mkdir -p "$DATA" && exec "$APP" doctor --json --data-dir "$DATA"')
  assert.equal(doctor.code, 1, doctor.stderr)
  const native = (JSON.parse(doctor.stdout).checks as Array<{ name: string; status: string; fix: string }>).find(
    (c) => c.name === 'native dir',
  )
  assert.equal(native?.status, 'fail')
  assert.match(native!.fix, /APP_NATIVE_DIR=\/\S+/)

  const fixed = await inNoexecMount(
    '"$APP" plugins sync --data-dir "$DATA" --plugins-dir "$PLUGINS" >/dev/null && exec "$APP" plugins list --json --data-dir "$DATA"',
    { APP_NATIVE_DIR: nativeDir },
  )
  assert.equal(fixed.code, 0, fixed.stderr)
  assert.deepEqual((JSON.parse(fixed.stdout).plugins as Array<{ name: string }>).map((p) => p.name).sort(), SAMPLES)
  assert.equal(readdirSync(nativeDir).length, 1, 'the addon went to APP_NATIVE_DIR')
})
