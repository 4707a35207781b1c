import assert from 'node:assert/strict'
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { AppError } from '../../src/errors/app-error.ts'
import { resolveAdminToken } from '../../src/web/admin-token.ts'
import { tempDir } from '../helpers/cli.ts'

const refusal = (fn: () => unknown): AppError => {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof AppError, String(error))
    return error
  }
  assert.fail('expected a refusal')
}

test('a symlinked admin-token file is refused and its target is neither read nor chmod-ed', (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  const target = join(root, 'precious.conf')
  writeFileSync(target, 'some-other-secret-0123456789abcdef\n', { mode: 0o644 })
  chmodSync(target, 0o644)
  symlinkSync(target, join(data, 'admin-token'))
  const error = refusal(() => resolveAdminToken(data, {}))
  assert.equal(error.exitCode, 2)
  assert.equal(error.code, 'ADMIN_TOKEN_FILE_UNSAFE')
  assert.match(error.message, /admin-token is a symbolic link; refusing to follow it/)
  assert.match(error.message, /regular file|APP_ADMIN_TOKEN/)
  assert.equal(statSync(target).mode & 0o777, 0o644, 'the target kept its mode')
  assert.ok(!error.message.includes('some-other-secret'))

  // A dangling link (the old code recursed until the stack ran out) is refused the same way, and nothing is created at its target.
  const data2 = join(root, 'data2')
  mkdirSync(data2)
  symlinkSync(join(root, 'nowhere'), join(data2, 'admin-token'))
  assert.equal(refusal(() => resolveAdminToken(data2, {})).code, 'ADMIN_TOKEN_FILE_UNSAFE')
  assert.throws(() => lstatSync(join(root, 'nowhere')), /ENOENT/)
})

test('the admin-token file is created once, 0600, as a regular file; a loosened mode is tightened on the file itself', (t) => {
  const data = join(tempDir(t), 'data')
  const first = resolveAdminToken(data, {})
  assert.equal(first.generated, true)
  const file = join(data, 'admin-token')
  assert.ok(lstatSync(file).isFile())
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(readFileSync(file, 'utf8').trim(), first.token)
  chmodSync(file, 0o644)
  const again = resolveAdminToken(data, {})
  assert.deepEqual([again.token, again.generated], [first.token, false])
  assert.equal(statSync(file).mode & 0o777, 0o600)
})

test('low-entropy admin tokens are refused, naming where they came from and how to make one, never echoing them', (t) => {
  const data = join(tempDir(t), 'data')
  for (const weak of [
    'aaaaaaaaaaaaaaaa',
    'abababababababab',
    'abcabcabcabcabcabc',
    'aaaabbbbccccdddd',
    '0123456789abcdef',
    'abcdefghijklmnopqrstu',
    'short',
  ]) {
    const error = refusal(() => resolveAdminToken(data, { APP_ADMIN_TOKEN: weak }))
    assert.equal(error.exitCode, 2, weak)
    assert.equal(error.code, 'ADMIN_TOKEN_WEAK')
    assert.match(error.message, /APP_ADMIN_TOKEN/)
    assert.match(error.message, /expected at least 16 characters/)
    assert.match(error.message, /openssl rand -hex 32/)
    assert.ok(!error.message.includes(weak), `the message must not contain the token: ${error.message}`)
  }
  // A weak token in the file names the file.
  mkdirSync(data, { recursive: true })
  writeFileSync(join(data, 'admin-token'), 'zzzzzzzzzzzzzzzzzzzzzzzz\n', { mode: 0o600 })
  assert.match(refusal(() => resolveAdminToken(data, {})).message, /admin-token .*openssl rand -hex 32/)

  for (const strong of [
    'operator-chosen-token-1234567890',
    'f3a9c1d07be24e58a6d1c93b7e0f4a21',
    'Vu5l_SyfC7mcIjfquCv6-4_VrFm_XyJmwg--uhTk1gw',
  ]) {
    assert.equal(resolveAdminToken(data, { APP_ADMIN_TOKEN: strong }).token, strong)
  }
})
