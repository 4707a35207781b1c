import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { startWebServer } from '../../src/web/start-web-server.ts'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { TOKEN, webFixture } from './web-fixture.ts'

/** Sends one raw HTTP/1.1 request (exactly these bytes: absolute-form targets, any Host) and returns the status. */
function rawStatus(port: number, lines: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`))
    let data = ''
    socket.on('data', (d) => (data += d))
    socket.on('error', reject)
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)))
  })
}

/** GET with the given token from a chosen local address (127.0.0.x), as a distinct client would. */
function getFrom(
  localAddress: string,
  port: number,
  path: string,
  token: string,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function served(t: TestContext) {
  const f = await webFixture(t)
  const server = await startWebServer({ fetch: (r, env) => f.app.fetch(r, env), host: '127.0.0.1', port: 0 })
  t.onTestFinished(() => server.close())
  return { f, port: server.port }
}

test('the Host header itself is checked: an absolute-form target cannot smuggle an allowed host past it', async (t) => {
  const { port } = await served(t)
  const auth = `Authorization: Bearer ${TOKEN}`
  assert.equal(await rawStatus(port, ['GET /api/v1/plugins HTTP/1.1', `Host: 127.0.0.1:${port}`, auth]), 200)
  assert.equal(await rawStatus(port, ['GET /api/v1/plugins HTTP/1.1', 'Host: evil.example', auth]), 421)
  // What a DNS-rebinding page's browser would never send, but a crafted request can: the URL says 127.0.0.1, Host says evil.
  assert.equal(await rawStatus(port, [`GET http://127.0.0.1:${port}/api/v1/plugins HTTP/1.1`, 'Host: evil.example', auth]), 421)
  assert.equal(await rawStatus(port, [`GET http://evil.example/api/v1/plugins HTTP/1.1`, `Host: 127.0.0.1:${port}`, auth]), 421)
  assert.equal(await rawStatus(port, [`GET http://127.0.0.1:${port}/api/v1/plugins HTTP/1.1`, `Host: 127.0.0.1:${port}`, auth]), 200)
})

test('failed sign-ins are throttled per client address', async (t) => {
  const { port } = await served(t)
  for (let i = 0; i < 10; i++)
    assert.equal((await getFrom('127.0.0.2', port, '/api/v1/plugins', `wrong-token-${i}-xxxxxxxxxx`)).status, 401)
  const throttled = await getFrom('127.0.0.2', port, '/api/v1/plugins', 'wrong-token-11-xxxxxxxxxx')
  assert.equal(throttled.status, 429)
  assert.match(throttled.retryAfter ?? '', /^\d+$/)
  assert.equal((await getFrom('127.0.0.2', port, '/api/v1/plugins', TOKEN)).status, 429)
  // Another address is not held back by the first one's failures.
  assert.equal((await getFrom('127.0.0.3', port, '/api/v1/plugins', TOKEN)).status, 200)
})

test('a low-entropy APP_ADMIN_TOKEN stops the web role at start with exit 2, without printing the token', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  writePlugin(plugins, 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  const weak = 'aaaaaaaaaaaaaaaa'
  const r = await runCli(['--role=web', '--port', '0', '--data-dir', data, '--plugins-dir', plugins], {
    cwd: root,
    env: { APP_ADMIN_TOKEN: weak },
  })
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /APP_ADMIN_TOKEN/)
  assert.match(r.stderr, /expected at least 16 characters/)
  assert.match(r.stderr, /openssl rand -hex 32/)
  assert.ok(!(r.stdout + r.stderr).includes(weak), 'the token is never printed')
})
