// The remote sources as a user drives them: APP_PLUGIN_REMOTE, `app plugins sync`, the scheduler's polling.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { pluginFiles, tgzOf, zipFiles } from './archive-fixtures.ts'
import { startHttpServer } from './http-fixture.ts'
import { S3_ENV, startS3 } from './s3-fixture.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name)

test('app plugins sync reads the directory, an HTTP index and S3 from APP_PLUGIN_REMOTE, and keeps them when both are down', async (t) => {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  writePlugin(plugins, 'local', manifest('local'), { 'index.js': 'export function load() {}' })
  const http = await startHttpServer(t)
  const web = tgzOf(pluginFiles('from-http'), 'package/')
  http.serve('/archives/from-http-1.0.0.tgz', web)
  http.serve('/index.json', JSON.stringify({ plugins: [{ url: 'archives/from-http-1.0.0.tgz', sha256: sha(web) }] }))
  const s3 = await startS3(t)
  await s3.put('app/from-s3-1.0.0.zip', await zipFiles(pluginFiles('from-s3')))
  const env = {
    ...S3_ENV,
    APP_PLUGIN_REMOTE: JSON.stringify([
      { type: 'http', url: http.url('/index.json'), timeoutMs: 3000, connectTimeoutMs: 1000 },
      {
        type: 's3',
        bucket: s3.bucket,
        prefix: 'app/',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        timeoutMs: 3000,
        connectTimeoutMs: 1000,
      },
    ]),
  }
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', plugins]
  const first = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
  assert.equal(first.code, 0, first.stderr)
  const list = JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout)
  assert.deepEqual(
    list.plugins.map((p: { name: string; source: string; status: string }) => [p.name, p.source, p.status]),
    [
      ['from-http', 'http', 'ok'],
      ['from-s3', 's3', 'ok'],
      ['local', 'directory', 'ok'],
    ],
  )
  assert.equal(list.plugins.find((p: { name: string }) => p.name === 'from-s3').origin, 's3://plugins/app/from-s3-1.0.0.zip')

  await http.close()
  await s3.close()
  const down = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
  assert.equal(down.code, 0, down.stderr)
  assert.match(down.stdout, /generation 1 \(3 plugins\)/, 'no new generation: every plugin stays')
  const warnings = JSON.parse((await runCli(['plugins', 'warnings', '--json', ...args], { cwd: root })).stdout).warnings
  const unreachable = warnings.filter((w: { code: string }) => w.code === 'SOURCE_UNREACHABLE')
  assert.equal(unreachable.length, 2)
  for (const w of unreachable) assert.match(w.message, /last success: \d{4}-\d\d-\d\dT[\d:.]+Z/)
})

test('the scheduler polls a remote source on its interval and publishes what changed', async (t) => {
  const root = tempDir(t)
  const http = await startHttpServer(t)
  const archives: Array<{ url: string; sha256: string }> = []
  const add = (name: string) => {
    const data = tgzOf(pluginFiles(name))
    http.serve(`/${name}.tgz`, data)
    archives.push({ url: `${name}.tgz`, sha256: sha(data) })
    http.serve('/index.json', JSON.stringify({ plugins: archives }))
  }
  add('early')
  const env = { APP_PLUGIN_REMOTE: JSON.stringify([{ type: 'http', url: http.url('/index.json'), interval: '300ms' }]) }
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  const scheduler = startCli(['--role=scheduler', ...args], { cwd: root, env })
  t.onTestFinished(async () => {
    await scheduler.stop()
  })
  await scheduler.waitFor(/scheduler started/)
  add('late')
  await scheduler.waitFor(/"plugins":2,.*"published plugin generation"/, 30_000)
  assert.equal(await scheduler.stop(), 0)
  const list = JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout)
  assert.deepEqual(
    list.plugins.map((p: { name: string }) => p.name),
    ['early', 'late'],
  )
})

test('TLS is always verified: a self-signed server is refused even with NODE_TLS_REJECT_UNAUTHORIZED=0, and trusted through NODE_EXTRA_CA_CERTS', async (t) => {
  const root = tempDir(t)
  const data = tgzOf(pluginFiles('tls-plugin'))
  const server = createHttpsServer(
    { key: readFileSync(fixture('self-signed-key.pem')), cert: readFileSync(fixture('self-signed-cert.pem')) },
    (_req, res) => res.end(data),
  )
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  t.onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/tls-plugin.tgz`
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  const remote = JSON.stringify([{ type: 'http', url }])
  const refused = await runCli(['plugins', 'sync', ...args], {
    cwd: root,
    env: { APP_PLUGIN_REMOTE: remote, NODE_TLS_REJECT_UNAUTHORIZED: '0' },
  })
  assert.equal(refused.code, 0, refused.stderr)
  const warnings = JSON.parse((await runCli(['plugins', 'warnings', '--json', ...args], { cwd: root })).stdout).warnings
  assert.match(warnings.find((w: { code: string }) => w.code === 'SOURCE_UNREACHABLE').message, /self[- ]signed certificate/)
  assert.equal(JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout).plugins.length, 0)

  const trusted = await runCli(['plugins', 'sync', ...args], {
    cwd: root,
    env: { APP_PLUGIN_REMOTE: remote, NODE_EXTRA_CA_CERTS: fixture('self-signed-cert.pem') },
  })
  assert.equal(trusted.code, 0, trusted.stderr)
  assert.deepEqual(
    JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout).plugins.map((p: { name: string }) => p.name),
    ['tls-plugin'],
  )
})

test('credentials never appear in logs, warnings or the store, even at trace level and on failure', async (t) => {
  const root = tempDir(t)
  const http = await startHttpServer(t)
  http.handle('/guarded.tgz', (_req, res) => void res.writeHead(401).end())
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  const env = {
    APP_LOG_LEVEL: 'trace',
    REMOTE_PASSWORD: 'hunter2-very-secret',
    REMOTE_TOKEN: 'tok-abcdef-secret',
    APP_PLUGIN_REMOTE: JSON.stringify([
      {
        type: 'http',
        url: http.url('/guarded.tgz').replace('http://', 'http://admin:url-pass-secret@'),
        passwordEnv: 'REMOTE_PASSWORD',
        headersEnv: { 'X-Token': 'REMOTE_TOKEN' },
      },
    ]),
  }
  const r = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(http.requests[0]!.headers['x-token'], 'tok-abcdef-secret', 'the header was sent')
  const warnings = (await runCli(['plugins', 'warnings', '--json', ...args], { cwd: root })).stdout
  assert.match(warnings, /HTTP 401 Unauthorized; check the username\/password or headers configured for this source/)
  const db = readFileSync(join(root, 'data', 'plugins.db')).toString('latin1')
  for (const secret of ['hunter2-very-secret', 'tok-abcdef-secret', 'url-pass-secret']) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${secret} is not logged`)
    assert.ok(!warnings.includes(secret), `${secret} is not in a warning`)
    assert.ok(!db.includes(secret), `${secret} is not in the store`)
  }
})

test('an https source that redirects to plain http is refused with SOURCE_UNREACHABLE, and nothing is fetched over http', async (t) => {
  const root = tempDir(t)
  const plain = await startHttpServer(t)
  plain.serve('/downgraded.tgz', tgzOf(pluginFiles('downgraded')))
  const server = createHttpsServer(
    { key: readFileSync(fixture('self-signed-key.pem')), cert: readFileSync(fixture('self-signed-cert.pem')) },
    (_req, res) => {
      res.writeHead(302, { location: plain.url('/downgraded.tgz') }).end()
    },
  )
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  t.onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/downgraded.tgz`
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  const env = { APP_PLUGIN_REMOTE: JSON.stringify([{ type: 'http', url }]), NODE_EXTRA_CA_CERTS: fixture('self-signed-cert.pem') }
  const sync = await runCli(['plugins', 'sync', ...args], { cwd: root, env })
  assert.equal(sync.code, 0, sync.stderr)
  const warnings = JSON.parse((await runCli(['plugins', 'warnings', '--json', ...args], { cwd: root })).stdout).warnings
  const unreachable = warnings.find((w: { code: string }) => w.code === 'SOURCE_UNREACHABLE')
  assert.ok(unreachable, JSON.stringify(warnings))
  assert.match(
    unreachable.message,
    /redirected from https to plain http \(http:\/\/127\.0\.0\.1:\d+\/downgraded\.tgz\); a redirect that drops TLS is not followed/,
  )
  assert.deepEqual(JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout).plugins, [])
  assert.equal(plain.requests.length, 0, 'no request went out without TLS')
})
