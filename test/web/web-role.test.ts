import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { test } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

async function setup(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  writePlugin(plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const args = ['--data-dir', data, '--plugins-dir', plugins]
  return { root, data, plugins, args }
}

// The whole log line (multiline pattern), parsed as the JSON it is.
const LISTENING = /^.*"msg":"web listening.*$/m
const urlOf = (match: RegExpExecArray) => (JSON.parse(match[0]) as { url: string }).url

/** Polls until fn() resolves truthy (the machine is shared and slow: no fixed sleeps as the assertion). */
async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v) return v
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(100)
  }
}

test('--role=web --port 0 logs its URL, creates the admin token once (0600) and stops cleanly on SIGTERM', async (t) => {
  const s = await setup(t)
  assert.equal((await runCli(['plugins', 'sync', ...s.args], { cwd: s.root, env: { APP_SETTLE_MS: '0' } })).code, 0)
  const web = startCli(['--role=web', '--port', '0', ...s.args], { cwd: s.root, env: { APP_ADMIN_TOKEN: '' } })
  t.onTestFinished(async () => {
    await web.stop('SIGKILL')
  })
  const url = urlOf(await web.waitFor(LISTENING))
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  await web.waitFor(/"msg":"web ready"/)
  const tokenFile = join(s.data, 'admin-token')
  const token = readFileSync(tokenFile, 'utf8').trim()
  assert.equal(statSync(tokenFile).mode & 0o777, 0o600)
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.ok(web.output().includes(`  ${token}\n`), 'the generated token is printed')

  assert.equal((await fetch(`${url}readyz`)).status, 200)
  assert.equal((await fetch(`${url}api/v1/plugins`)).status, 401)
  const list = await fetch(`${url}api/v1/plugins`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(list.status, 200)
  assert.deepEqual(
    ((await list.json()) as { plugins: Array<{ name: string }> }).plugins.map((p) => p.name),
    ['alpha'],
  )
  assert.equal(await web.stop(), 0)

  // Second start: the same token, not printed again.
  const again = startCli(['--role=web', '--port', '0', ...s.args], { cwd: s.root, env: { APP_ADMIN_TOKEN: '' } })
  t.onTestFinished(async () => {
    await again.stop('SIGKILL')
  })
  const url2 = urlOf(await again.waitFor(LISTENING))
  await again.waitFor(/"msg":"web ready"/)
  assert.ok(!again.output().includes(token), 'the token is printed only when generated')
  assert.equal((await fetch(`${url2}api/v1/plugins`, { headers: { Authorization: `Bearer ${token}` } })).status, 200)
  assert.equal(await again.stop(), 0)
})

test('APP_ADMIN_TOKEN replaces the file; a short one is refused with exit 2', async (t) => {
  const s = await setup(t)
  assert.equal((await runCli(['plugins', 'sync', ...s.args], { cwd: s.root, env: { APP_SETTLE_MS: '0' } })).code, 0)
  const short = await runCli(['--role=web', '--port', '0', ...s.args], { cwd: s.root, env: { APP_ADMIN_TOKEN: 'short' } })
  assert.equal(short.code, 2)
  assert.match(short.stderr, /admin token from APP_ADMIN_TOKEN has 5 characters; expected at least 16/)

  const token = 'operator-chosen-token-1234567890'
  const web = startCli(['--role=web', '--port', '0', ...s.args], { cwd: s.root, env: { APP_ADMIN_TOKEN: token } })
  t.onTestFinished(async () => {
    await web.stop('SIGKILL')
  })
  const url = urlOf(await web.waitFor(LISTENING))
  await web.waitFor(/"msg":"web ready"/)
  assert.throws(() => statSync(join(s.data, 'admin-token')), /ENOENT/)
  assert.equal((await fetch(`${url}api/v1/plugins`, { headers: { Authorization: `Bearer ${token}` } })).status, 200)
  assert.equal(await web.stop(), 0)
})

test('before the store exists the web role is live but not ready, and becomes ready when it appears', async (t) => {
  const s = await setup(t)
  const web = startCli(['--role=web', '--port', '0', ...s.args], {
    cwd: s.root,
    env: { APP_STORE_WAIT_MS: '120000', APP_ADMIN_TOKEN: 'operator-chosen-token-1234567890' },
  })
  t.onTestFinished(async () => {
    await web.stop('SIGKILL')
  })
  const url = urlOf(await web.waitFor(LISTENING))
  await web.waitFor(/waiting for the scheduler to create the plugin store/)
  assert.equal((await fetch(`${url}livez`)).status, 200)
  const starting = await fetch(`${url}readyz`)
  assert.equal(starting.status, 503)
  assert.equal(((await starting.json()) as { status: string }).status, 'starting')
  assert.equal((await fetch(`${url}settings/integrations/plugins`)).status, 503)

  assert.equal((await runCli(['plugins', 'sync', ...s.args], { cwd: s.root, env: { APP_SETTLE_MS: '0' } })).code, 0)
  await until(async () => (await fetch(`${url}readyz`)).status === 200)
  assert.equal(await web.stop(), 0)
})

test('a port in use is a clear error naming the port and the way out', async (t) => {
  const s = await setup(t)
  assert.equal((await runCli(['plugins', 'sync', ...s.args], { cwd: s.root, env: { APP_SETTLE_MS: '0' } })).code, 0)
  const blocker = createServer()
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
  t.onTestFinished(async () => {
    await new Promise((r) => blocker.close(r))
  })
  const port = (blocker.address() as { port: number }).port
  const r = await runCli(['--role=web', '--port', String(port), ...s.args], {
    cwd: s.root,
    env: { APP_ADMIN_TOKEN: 'operator-chosen-token-1234567890' },
  })
  assert.equal(r.code, 1)
  assert.match(
    r.stderr,
    new RegExp(
      `web: cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} on 127\\.0\\.0\\.1 is in use by another process; pass --port <n> \\(or --port 0 for any free port\\)`,
    ),
  )
})
