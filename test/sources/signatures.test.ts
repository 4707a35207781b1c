import assert from 'node:assert/strict'
import { createHash, sign } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { rawTgz, readTgz } from './archive-fixtures.ts'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { createSignatureManifest } from '../../src/signing/signature-manifest.ts'
import { parsePrivateKey } from '../../src/signing/signing-keys.ts'

/** A plugin folder, a key pair and a trusted key, all through the real CLI. */
async function setup(t: TestContext) {
  const root = tempDir(t)
  const src = writePlugin(join(root, 'src'), 'signed-demo', manifest('signed-demo', { version: '1.2.3' }), {
    'index.js': 'export function load() {}\n',
    'lib/util.js': 'export const x = 1\n',
  })
  const keys = await runCli(['plugins', 'keygen', '--out', join(root, 'keys')], { cwd: root })
  assert.equal(keys.code, 0, keys.stderr)
  const publicKey = readFileSync(join(root, 'keys', 'plugin-signing.pub'), 'utf8').trim()
  return {
    root,
    src,
    keyFile: join(root, 'keys', 'plugin-signing.key'),
    publicKey,
    keyId: createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16),
  }
}

test('keygen writes an ed25519 key pair (private key 0600), prints the key id, and never overwrites', async (t) => {
  const { root, keyFile, publicKey, keyId } = await setup(t)
  assert.equal(statSync(keyFile).mode & 0o777, 0o600)
  assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/)
  assert.equal(Buffer.from(publicKey, 'base64').length, 32)
  const again = await runCli(['plugins', 'keygen', '--out', join(root, 'keys')], { cwd: root })
  assert.equal(again.code, 1)
  assert.match(again.stderr, /plugin-signing\.key already exists; keygen never overwrites a key/)
  const other = await runCli(['plugins', 'keygen', '--out', join(root, 'keys2')], { cwd: root })
  assert.match(other.stdout, /key id: [0-9a-f]{16}/)
  assert.ok(!other.stdout.includes(keyId), 'a new pair has a new id')
})

test('pack writes a reproducible .tgz with a .sha256 file; verify accepts it and names the key and whether it is trusted', async (t) => {
  const { root, src, keyFile, publicKey, keyId } = await setup(t)
  const a = await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(root, 'a.tgz')], { cwd: root })
  assert.equal(a.code, 0, a.stderr)
  const b = await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(root, 'b.tgz')], { cwd: root })
  assert.equal(b.code, 0, b.stderr)
  const bytes = readFileSync(join(root, 'a.tgz'))
  assert.deepEqual(bytes, readFileSync(join(root, 'b.tgz')), 'the same folder and key give the same bytes')
  const hex = createHash('sha256').update(bytes).digest('hex')
  assert.equal(readFileSync(join(root, 'a.tgz.sha256'), 'utf8'), `${hex}  a.tgz\n`)
  assert.deepEqual(
    readTgz(bytes).map((e) => e.path),
    ['package/SIGNATURE.json', 'package/index.js', 'package/lib/util.js', 'package/plugin.json'],
  )
  const defaultName = await runCli(['plugins', 'pack', src], { cwd: root })
  assert.match(defaultName.stdout, /signed-demo-1\.2\.3\.tgz/)
  assert.match(defaultName.stdout, /unsigned: pass --key to sign it/)

  const untrusted = await runCli(['plugins', 'verify', join(root, 'a.tgz')], { cwd: root })
  assert.equal(untrusted.code, 0, 'an untrusted signature still loads when signatures are not required')
  assert.match(untrusted.stdout, new RegExp(`signed-demo 1\\.2\\.3: signature untrusted \\(key ${keyId}\\)`))
  assert.match(untrusted.stdout, /a\.tgz\.sha256: matches/)
  const trusted = await runCli(['plugins', 'verify', join(root, 'a.tgz'), '--json'], {
    cwd: root,
    env: { APP_TRUST_PUBLIC_KEYS: publicKey },
  })
  assert.equal(trusted.code, 0, trusted.stderr)
  const report = JSON.parse(trusted.stdout)
  assert.deepEqual(report.plugins[0].signature, { state: 'valid', keyId })
  assert.equal(report.ok, true)
})

test('verify says what is wrong: a changed file, a changed manifest, another key, a changed archive', async (t) => {
  const { root, src, keyFile, publicKey } = await setup(t)
  await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(root, 'good.tgz')], { cwd: root })
  const entries = readTgz(readFileSync(join(root, 'good.tgz')))
  const trust = { APP_TRUST_PUBLIC_KEYS: publicKey, APP_TRUST_REQUIRE_SIGNATURE: 'true' }
  const write = (name: string, change: (e: { path: string; data: Buffer }) => Buffer) => {
    writeFileSync(join(root, name), rawTgz(entries.map((e) => ({ path: e.path, mode: e.mode, data: change(e) }))))
    return join(root, name)
  }

  const file = await runCli(
    ['plugins', 'verify', write('file.tgz', (e) => (e.path.endsWith('util.js') ? Buffer.from('export const x = 2\n') : e.data))],
    { cwd: root, env: trust },
  )
  assert.equal(file.code, 1)
  assert.match(file.stdout, /signature invalid/)
  assert.match(file.stdout, /SIGNATURE_INVALID: plugin signed-demo: files changed since it was signed \(changed lib\/util\.js\)/)

  const listed = await runCli(
    [
      'plugins',
      'verify',
      write('manifest.tgz', (e) => {
        if (!e.path.endsWith('SIGNATURE.json')) return e.path.endsWith('util.js') ? Buffer.from('export const x = 2\n') : e.data
        const doc = JSON.parse(e.data.toString())
        doc.files['lib/util.js'] = createHash('sha256').update('export const x = 2\n').digest('hex') // a tamperer who also fixes the list
        return Buffer.from(JSON.stringify(doc))
      }),
    ],
    { cwd: root, env: trust },
  )
  assert.equal(listed.code, 1)
  assert.match(listed.stdout, /the signature in SIGNATURE\.json does not match its file list \(the manifest was changed after signing\)/)

  const otherKeys = await runCli(['plugins', 'keygen', '--out', join(root, 'other')], { cwd: root })
  assert.equal(otherKeys.code, 0)
  await runCli(['plugins', 'pack', src, '--key', join(root, 'other', 'plugin-signing.key'), '--out', join(root, 'other.tgz')], {
    cwd: root,
  })
  const wrongKey = await runCli(['plugins', 'verify', join(root, 'other.tgz')], { cwd: root, env: trust })
  assert.equal(wrongKey.code, 1, 'signed by a key that is not trusted, with signatures required')
  assert.match(
    wrongKey.stdout,
    /SIGNATURE_UNTRUSTED: plugin signed-demo is signed by key [0-9a-f]{16}, which is not in trust\.publicKeys, and trust\.requireSignature is on/,
  )

  writeFileSync(join(root, 'good.tgz'), Buffer.concat([readFileSync(join(root, 'good.tgz')), Buffer.alloc(1)]))
  const changed = await runCli(['plugins', 'verify', join(root, 'good.tgz')], { cwd: root, env: trust })
  assert.equal(changed.code, 1)
  assert.match(changed.stdout, /CHECKSUM_MISMATCH: good\.tgz\.sha256 says [0-9a-f]{64}; the archive changed after it was packed/)
})

test('sync with trust: signed loads with its key id, tampered never loads, unsigned is blocked only when signatures are required', async (t) => {
  const { root, src, keyFile, publicKey, keyId } = await setup(t)
  const plugins = join(root, 'plugins')
  mkdirSync(plugins)
  await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(plugins, 'signed-demo-1.2.3.tgz')], { cwd: root })
  writePlugin(plugins, 'plain', manifest('plain'), { 'index.js': 'export function load() {}' })
  const tampered = readTgz(readFileSync(join(plugins, 'signed-demo-1.2.3.tgz')))
  const renamed = tampered.map((e) => {
    if (e.path.endsWith('plugin.json')) return { ...e, data: Buffer.from(e.data.toString().replace('signed-demo', 'tampered-demo')) }
    return e
  })
  writeFileSync(join(plugins, 'tampered-demo.tgz'), rawTgz(renamed))
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', plugins]

  const relaxed = await runCli(['plugins', 'sync', ...args], { cwd: root, env: { APP_TRUST_PUBLIC_KEYS: publicKey } })
  assert.equal(relaxed.code, 0, relaxed.stderr)
  const list = JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout)
  const status = Object.fromEntries(list.plugins.map((p: { name: string; status: string }) => [p.name, p.status]))
  assert.deepEqual(status, { plain: 'ok', 'signed-demo': 'ok', 'tampered-demo': 'error' })
  const shown = await runCli(['plugins', 'show', 'signed-demo', ...args], { cwd: root })
  assert.match(shown.stdout, new RegExp(`signature: valid \\(key ${keyId}\\)`))
  const showJson = JSON.parse((await runCli(['plugins', 'show', 'tampered-demo', '--json', ...args], { cwd: root })).stdout)
  assert.equal(showJson.signature.state, 'invalid')
  assert.ok(
    showJson.warnings.some(
      (w: { code: string; message: string }) => w.code === 'SIGNATURE_INVALID' && /changed plugin\.json/.test(w.message),
    ),
  )
  const plain = JSON.parse((await runCli(['plugins', 'show', 'plain', '--json', ...args], { cwd: root })).stdout)
  assert.equal(plain.signature.state, 'missing')
  assert.ok(plain.warnings.some((w: { code: string; severity: string }) => w.code === 'SIGNATURE_MISSING' && w.severity === 'info'))

  const strict = await runCli(['plugins', 'sync', ...args], {
    cwd: root,
    env: { APP_TRUST_PUBLIC_KEYS: publicKey, APP_TRUST_REQUIRE_SIGNATURE: 'true' },
  })
  assert.equal(strict.code, 0, strict.stderr)
  const after = JSON.parse((await runCli(['plugins', 'show', 'plain', '--json', ...args], { cwd: root })).stdout)
  assert.equal(after.status, 'error')
  assert.ok(
    after.warnings.some(
      (w: { code: string; severity: string; message: string }) =>
        w.code === 'SIGNATURE_MISSING' && w.severity === 'error' && /trust\.requireSignature is on/.test(w.message),
    ),
  )
  const signed = JSON.parse((await runCli(['plugins', 'show', 'signed-demo', '--json', ...args], { cwd: root })).stdout)
  assert.equal(signed.status, 'ok')

  // Signatures no longer required, the key no longer trusted: unsigned loads again; the signed one is untrusted but loads.
  await runCli(['plugins', 'sync', ...args], { cwd: root })
  const back = JSON.parse((await runCli(['plugins', 'list', '--json', ...args], { cwd: root })).stdout)
  assert.deepEqual(Object.fromEntries(back.plugins.map((p: { name: string; status: string }) => [p.name, p.status])), {
    plain: 'ok',
    'signed-demo': 'ok',
    'tampered-demo': 'error',
  })
})

test('requireSignature with an unknown key blocks the plugin until its key is trusted', async (t) => {
  const { root, src, keyFile, publicKey, keyId } = await setup(t)
  const plugins = join(root, 'plugins')
  mkdirSync(plugins)
  await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(plugins, 'signed-demo.tgz')], { cwd: root })
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', plugins]
  const other = await runCli(['plugins', 'keygen', '--out', join(root, 'other')], { cwd: root })
  const otherKey = readFileSync(join(root, 'other', 'plugin-signing.pub'), 'utf8').trim()
  assert.equal(other.code, 0)
  await runCli(['plugins', 'sync', ...args], { cwd: root, env: { APP_TRUST_PUBLIC_KEYS: otherKey, APP_TRUST_REQUIRE_SIGNATURE: 'true' } })
  const blocked = JSON.parse((await runCli(['plugins', 'show', 'signed-demo', '--json', ...args], { cwd: root })).stdout)
  assert.equal(blocked.status, 'error')
  assert.deepEqual(blocked.signature, { state: 'untrusted', keyId })
  assert.ok(blocked.warnings.some((w: { code: string; severity: string }) => w.code === 'SIGNATURE_UNTRUSTED' && w.severity === 'error'))

  await runCli(['plugins', 'sync', ...args], {
    cwd: root,
    env: { APP_TRUST_PUBLIC_KEYS: `${otherKey},${publicKey}`, APP_TRUST_REQUIRE_SIGNATURE: 'true' },
  })
  const trusted = JSON.parse((await runCli(['plugins', 'show', 'signed-demo', '--json', ...args], { cwd: root })).stdout)
  assert.equal(trusted.status, 'ok')
  assert.deepEqual(trusted.signature, { state: 'valid', keyId })
})

test('a malformed trusted key is a config error naming it', async (t) => {
  const root = tempDir(t)
  const r = await runCli(['plugins', 'sync', '--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')], {
    cwd: root,
    env: { APP_TRUST_PUBLIC_KEYS: 'not-a-key' },
  })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /trust\.publicKeys\.0: expected base64 of a raw 32-byte ed25519 key/)
})

test('the signature names the plugin and version it signs: pack writes them; verify refuses a signature for another name or version, and an older one without them', async (t) => {
  const { root, src, keyFile, publicKey } = await setup(t)
  const trust = { APP_TRUST_PUBLIC_KEYS: publicKey }
  const packed = await runCli(['plugins', 'pack', src, '--key', keyFile, '--out', join(root, 'good.tgz')], { cwd: root })
  assert.equal(packed.code, 0, packed.stderr)
  const entries = readTgz(readFileSync(join(root, 'good.tgz')))
  const doc = JSON.parse(entries.find((e) => e.path === 'package/SIGNATURE.json')!.data.toString())
  assert.deepEqual([doc.name, doc.version], ['signed-demo', '1.2.3'])
  const good = await runCli(['plugins', 'verify', join(root, 'good.tgz')], { cwd: root, env: trust })
  assert.equal(good.code, 0, good.stdout)

  // Signed with the same trusted key, with every file hash right, but for another name and version.
  const key = parsePrivateKey(readFileSync(keyFile, 'utf8'))
  const files = entries
    .filter((e) => !e.path.endsWith('SIGNATURE.json'))
    .map((e) => ({ path: e.path.slice('package/'.length), sha256: createHash('sha256').update(e.data).digest('hex') }))
  const withManifest = (name: string, manifest: unknown) => {
    writeFileSync(
      join(root, name),
      rawTgz(
        entries.map((e) => ({
          path: e.path,
          mode: e.mode,
          data: e.path.endsWith('SIGNATURE.json') ? Buffer.from(JSON.stringify(manifest)) : e.data,
        })),
      ),
    )
    return join(root, name)
  }
  const other = await runCli(
    ['plugins', 'verify', withManifest('other.tgz', createSignatureManifest({ name: 'signed-demo', version: '9.9.9' }, files, key))],
    { cwd: root, env: trust },
  )
  assert.equal(other.code, 1, other.stdout)
  assert.match(
    other.stdout,
    /SIGNATURE_INVALID: plugin signed-demo: SIGNATURE\.json signs signed-demo 9\.9\.9, but plugin\.json says signed-demo 1\.2\.3/,
  )

  // What `app plugins pack` wrote before: the file list alone was signed.
  const list = Object.fromEntries(files.map((f) => [f.path, f.sha256]).sort(([a], [b]) => (a! < b! ? -1 : 1)))
  const legacy = {
    format: doc.format,
    files: list,
    keyId: doc.keyId,
    publicKey: doc.publicKey,
    signature: sign(null, Buffer.from(JSON.stringify({ format: doc.format, files: list })), key).toString('base64'),
  }
  const old = await runCli(['plugins', 'verify', withManifest('legacy.tgz', legacy)], { cwd: root, env: trust })
  assert.equal(old.code, 1, old.stdout)
  assert.match(old.stdout, /signature invalid/)
  assert.match(
    old.stdout,
    /SIGNATURE_INVALID: plugin signed-demo: SIGNATURE\.json does not name the plugin and version it signs .*Re-pack it with the current `app plugins pack <dir> --key <private key>`/,
  )
})
