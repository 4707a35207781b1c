// Secrets never leave their source (DESIGN section 9): planted secrets in a URL's password, query values, a
// header, app.toml and APP_PLUGIN_REMOTE must appear in no output, log line, file of the data dir or API answer.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli, startCli, tempDir } from '../helpers/cli.ts'
import { pluginFiles, tgzOf } from './archive-fixtures.ts'
import { startHttpServer } from './http-fixture.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Every byte of every file under dir, as latin1 text to search. */
function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n')
}

function assertNowhere(secret: string, places: Record<string, string>): void {
  for (const [where, text] of Object.entries(places))
    assert.ok(
      !text.includes(secret),
      `the planted secret leaked into ${where}:\n${text.slice(Math.max(0, text.indexOf(secret) - 300), text.indexOf(secret) + 100)}`,
    )
}

test('secrets in source URLs (password, query values), headers, app.toml and APP_PLUGIN_REMOTE reach no output, log, store file or API answer', async (t) => {
  const secret = `S3CRET-${randomBytes(8).toString('hex')}`
  const root = tempDir(t)
  const data = join(root, 'data')
  const args = ['--data-dir', data, '--plugins-dir', join(root, 'plugins')]
  const http = await startHttpServer(t)
  const seen: Array<{ url: string; auth?: string; header?: string }> = []
  const archive = tgzOf(pluginFiles('vault'))
  http.handle('/vault.tgz', (req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization, header: req.headers['x-api-key'] as string | undefined })
    res.writeHead(200, { 'content-length': archive.length }).end(archive)
  })
  const signed = tgzOf(pluginFiles('indexed'))
  http.serve('/archives/indexed.tgz', signed)
  http.serve('/index.json', JSON.stringify({ plugins: [{ url: `archives/indexed.tgz?sig=${secret}-entry`, sha256: sha(signed) }] }))
  http.handle('/down.tgz', (_req, res) => void res.writeHead(503).end())
  const base = http.base.replace('http://', '')
  writeFileSync(
    join(root, 'app.toml'),
    [
      '[[sources]]',
      'type = "http"',
      `url = "http://reader:${secret}-pw@${base}/vault.tgz?api_key=${secret}-query&v=2"`,
      `headers = { "X-Api-Key" = "${secret}-header" }`,
      '[[sources]]',
      'type = "http"',
      `url = "http://${base}/index.json?token=${secret}-index"`,
      '[[sources]]',
      'type = "http"',
      `url = "http://${base}/down.tgz?token=${secret}-down"`,
      '',
    ].join('\n'),
  )
  const env = { APP_LOG_LEVEL: 'trace', APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef0123456789' }

  const fromToml = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
  assert.equal(fromToml.code, 0, fromToml.stderr)
  assert.equal(seen[0]?.url, `/vault.tgz?api_key=${secret}-query&v=2`, 'the real query still goes to the server')
  assert.equal(seen[0]?.header, `${secret}-header`)
  assert.equal(seen[0]?.auth, `Basic ${Buffer.from(`reader:${secret}-pw`).toString('base64')}`)
  // The same sources from APP_PLUGIN_REMOTE (it replaces [[sources]] of app.toml).
  const remote = JSON.stringify([
    {
      type: 'http',
      url: `http://reader:${secret}-pw@${base}/vault.tgz?api_key=${secret}-query&v=2`,
      headers: { 'X-Api-Key': `${secret}-header` },
    },
    { type: 'http', url: `http://${base}/index.json?token=${secret}-index` },
    { type: 'http', url: `http://${base}/down.tgz?token=${secret}-down` },
  ])
  const fromEnv = await runCli(['plugins', 'sync', ...args], { cwd: root, env: { ...env, APP_PLUGIN_REMOTE: remote } })
  assert.equal(fromEnv.code, 0, fromEnv.stderr)

  const list = await runCli(['plugins', 'list', '--json', ...args], { cwd: root })
  const plugins = JSON.parse(list.stdout).plugins as Array<{ name: string; origin: string }>
  assert.deepEqual(
    plugins.map((p) => p.name),
    ['indexed', 'vault'],
  )
  assert.equal(
    plugins.find((p) => p.name === 'vault')!.origin,
    `http://***:***@${base}/vault.tgz?api_key=***&v=***`,
    'the origin shows which parameters, not their values',
  )
  const warningsJson = await runCli(['plugins', 'warnings', '--json', ...args], { cwd: root })
  const unreachable = JSON.parse(warningsJson.stdout).warnings.find((w: { code: string }) => w.code === 'SOURCE_UNREACHABLE')
  assert.match(
    unreachable.message,
    new RegExp(`http://${base.replace(/\./g, '\\.')}/down\\.tgz\\?token=\\*\\*\\*: the server answered HTTP 503`),
  )
  const outputs: Record<string, string> = {
    'sync (app.toml)': fromToml.stdout + fromToml.stderr,
    'sync (APP_PLUGIN_REMOTE)': fromEnv.stdout + fromEnv.stderr,
    'plugins list --json': list.stdout + list.stderr,
    'plugins warnings --json': warningsJson.stdout,
  }
  for (const cmd of [
    ['plugins', 'list'],
    ['plugins', 'warnings'],
    ['plugins', 'show', 'vault'],
    ['plugins', 'show', 'vault', '--json'],
    ['plugins', 'show', 'indexed', '--json'],
  ]) {
    const r = await runCli([...cmd, ...args], { cwd: root, env })
    assert.equal(r.code, 0, r.stderr)
    outputs[cmd.join(' ')] = r.stdout + r.stderr
  }

  // The scheduler's own pass, logged at trace level; then the web role answers from what it stored.
  const scheduler = startCli(['--role=scheduler', ...args], { cwd: root, env: { ...env, APP_PLUGIN_REMOTE: remote } })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/"msg":"scheduler started"/)
  assert.equal(await scheduler.stop(), 0)
  outputs['--role=scheduler log'] = scheduler.output()
  const web = startCli(['--role=web', '--port', '0', ...args], { cwd: root, env: { ...env, APP_PLUGIN_REMOTE: remote } })
  t.onTestFinished(async () => {
    await web.stop('SIGKILL')
  })
  const url = (JSON.parse((await web.waitFor(/^.*"msg":"web listening.*$/m))[0]) as { url: string }).url
  await web.waitFor(/"msg":"web ready"/)
  const auth = { Authorization: `Bearer ${env.APP_ADMIN_TOKEN}` }
  for (const path of [
    'api/v1/warnings',
    'api/v1/plugins',
    'api/v1/plugins/vault',
    'api/v1/plugins/indexed',
    'settings/integrations/plugins',
    'settings/integrations/plugins/vault',
  ]) {
    const res = await fetch(`${url}${path}`, { headers: auth })
    assert.equal(res.status, 200, path)
    outputs[`GET /${path}`] = await res.text()
  }
  assert.ok(
    JSON.parse(outputs['GET /api/v1/warnings']!).warnings.some((w: { code: string }) => w.code === 'SOURCE_UNREACHABLE'),
    'the API has the warning',
  )
  assert.equal(await web.stop(), 0)
  outputs['--role=web log'] = web.output()
  outputs['data dir (plugins.db, runtime.db, WAL files, cache)'] = allBytes(data)
  assertNowhere(secret, outputs)
})

test('config errors name the key and the place, but never a secret value: TOML syntax, URLs with passwords, headers, APP_PLUGIN_REMOTE', async (t) => {
  const secret = `S3CRET-${randomBytes(8).toString('hex')}`
  const root = tempDir(t)
  const run = (env: Record<string, string> = {}) => runCli(['plugins', 'list', '--data-dir', join(root, 'data')], { cwd: root, env })

  writeFileSync(
    join(root, 'app.toml'),
    `[[sources]]\ntype = "http"\nurl = "https://plugins.example.com/index.json"\npassword = "${secret}\nusername = "reader"\n`,
  )
  const syntax = await run()
  assert.equal(syntax.code, 2)
  assert.match(syntax.stderr, /config file app\.toml is not valid TOML at line 4, column \d+/)

  writeFileSync(
    join(root, 'app.toml'),
    [
      '[[sources]]',
      'type = "http"',
      `url = "ftp://reader:${secret}@plugins.example.com/index.json?api_key=${secret}"`,
      `headers = { "Authorization" = ["Bearer ${secret}"] }`,
      `password = ["${secret}"]`,
      '',
    ].join('\n'),
  )
  const schema = await run()
  assert.equal(schema.code, 2)
  assert.match(schema.stderr, /sources\.0\.url: .*found "ftp:\/\/\*\*\*:\*\*\*@plugins\.example\.com\/index\.json\?api_key=\*\*\*"/)
  assert.match(schema.stderr, /sources\.0\.headers\.Authorization: .*not shown: sources\.0\.headers\.Authorization may hold a secret/)
  assert.match(schema.stderr, /sources\.0\.password: .*not shown/)

  writeFileSync(join(root, 'app.toml'), '')
  const badJson = await run({ APP_PLUGIN_REMOTE: `[{"type":"http","url":"https://reader:${secret}@plugins.example.com/"` })
  assert.equal(badJson.code, 2)
  assert.match(badJson.stderr, /APP_PLUGIN_REMOTE must be a JSON array of source tables.*not valid JSON/)
  const badUrl = await run({
    APP_PLUGIN_REMOTE: JSON.stringify([{ type: 'http', url: `reader:${secret}@plugins.example.com/index.json` }]),
  })
  assert.equal(badUrl.code, 2)
  assert.match(badUrl.stderr, /sources\.0\.url: /)

  assertNowhere(secret, {
    'TOML syntax error': syntax.stdout + syntax.stderr,
    'schema errors': schema.stdout + schema.stderr,
    'APP_PLUGIN_REMOTE not JSON': badJson.stdout + badJson.stderr,
    'APP_PLUGIN_REMOTE bad URL': badUrl.stdout + badUrl.stderr,
  })
})
