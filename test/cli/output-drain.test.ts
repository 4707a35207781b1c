import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { APP_BIN, runCli, runCommand, tempDir } from '../helpers/cli.ts'

const MiB = 1024 * 1024

/** An inventory whose `resources list --json` is well over 1 MiB: more than a pipe holds (64 KiB) many times over. */
async function bigInventory(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const data = join(root, 'data')
  const rows = Array.from({ length: 3000 }, (_, i) => ({
    id: `i-${i}`,
    type: 'instance',
    cloud: 'aws',
    account: '111122223333',
    region: 'us-east-1',
    name: `web-${i}`,
    state: 'stopped',
    tags: { env: 'prod' },
    properties: { instanceType: 't3.micro', note: 'x'.repeat(400) },
  }))
  writeFileSync(join(root, 'resources.json'), JSON.stringify(rows))
  const imported = await runCli(['resources', 'import', join(root, 'resources.json'), '--data-dir', data])
  assert.equal(imported.code, 0, imported.stderr)
  return { root, data, count: rows.length }
}

test('--json output larger than a pipe buffer arrives whole through a pipe, a shell pipeline and a file', async (t) => {
  const { root, data, count } = await bigInventory(t)

  // Read through a pipe by this process (what `app ... | jq` is to jq).
  const piped = await runCli(['resources', 'list', '--json', '--data-dir', data])
  assert.equal(piped.code, 0, piped.stderr)
  assert.ok(piped.stdout.length > MiB, `expected more than 1 MiB of JSON, got ${piped.stdout.length} bytes`)
  assert.equal(JSON.parse(piped.stdout).resources.length, count)

  // A shell pipeline into another program, and a redirect into a file.
  const shell = `"${process.execPath}" "${APP_BIN}" resources list --json --data-dir "${data}"`
  const counted = await runCommand('sh', ['-c', `${shell} | wc -c; ${shell} > "${join(root, 'out.json')}"`], {
    env: { ...process.env, APP_LOG_LEVEL: 'warn' },
  })
  assert.equal(counted.code, 0, counted.stderr)
  assert.equal(Number(counted.stdout.trim()), Buffer.byteLength(piped.stdout))
  assert.equal(readFileSync(join(root, 'out.json'), 'utf8'), piped.stdout)
})

test('a reader that stops early (| head -c) ends the command quietly instead of hanging or printing a stack', async (t) => {
  const { data } = await bigInventory(t)
  const shell = `"${process.execPath}" "${APP_BIN}" resources list --json --data-dir "${data}"`
  const r = await runCommand('sh', ['-c', `${shell} | head -c 10`], { env: { ...process.env, APP_LOG_LEVEL: 'warn' }, timeoutMs: 30_000 })
  assert.equal(r.signal, null, 'did not hang')
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^\{\n {2}"reso/)
  assert.doesNotMatch(r.stderr, /EPIPE|Error:/)
})
