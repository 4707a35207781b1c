// Text that plugins and imports control reaches the terminal without its control characters (DESIGN section 8);
// --json output keeps it exactly.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'

// Clear screen, set the clipboard (OSC 52), a C1 CSI colour, DEL, backspace, carriage return and BEL.
const HOSTILE = 'A\u001b[2J\u001b]52;c;cHduZWQ=\u0007B\u009b31mC\u007fD\bE\rF\u0007G'
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

test('resources list and plugins warnings strip escape sequences and control characters; --json keeps them exactly', async (t) => {
  const root = tempDir(t)
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', join(root, 'plugins')]
  const cli = async (...a: string[]) => {
    const r = await runCli([...a, ...args], { cwd: root, env: { APP_SETTLE_MS: '0' } })
    assert.equal(r.code, 0, `${a.join(' ')}: ${r.stderr}`)
    return r
  }
  writeFileSync(
    join(root, 'resources.json'),
    JSON.stringify([
      { id: 'i-1', type: 'instance', cloud: 'aws', account: '111122223333', region: 'us-east-1', name: HOSTILE, state: 'running' },
    ]),
  )
  await cli('resources', 'import', join(root, 'resources.json'))
  const table = await cli('resources', 'list')
  assert.ok(!CONTROLS.test(table.stdout + table.stderr), JSON.stringify(table.stdout))
  assert.match(table.stdout, /\bABCDEFG\b/, 'the printable text stays')
  assert.equal(JSON.parse((await cli('resources', 'list', '--json')).stdout).resources[0].name, HOSTILE)

  writePlugin(join(root, 'plugins'), 'noisy', manifest('noisy'), {
    'index.js': `export function load() { throw new Error(${JSON.stringify(`boom ${HOSTILE}`)}) }\n`,
  })
  await cli('plugins', 'sync')
  const warnings = await cli('plugins', 'warnings')
  assert.match(warnings.stdout, /LOAD_FAILED.*boom ABCDEFG/)
  assert.ok(!CONTROLS.test(warnings.stdout + warnings.stderr), JSON.stringify(warnings.stdout))
  const shown = await cli('plugins', 'show', 'noisy')
  assert.ok(!CONTROLS.test(shown.stdout), JSON.stringify(shown.stdout))
  const json = JSON.parse((await cli('plugins', 'warnings', '--json')).stdout).warnings
  assert.ok(
    json.some((w: { code: string; message: string }) => w.code === 'LOAD_FAILED' && w.message.includes(`boom ${HOSTILE}`)),
    JSON.stringify(json),
  )

  const missing = await runCli(['plugins', 'show', `ghost${HOSTILE}`, ...args], { cwd: root })
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no plugin named "ghostABCDEFG"/)
  assert.ok(!CONTROLS.test(missing.stderr), JSON.stringify(missing.stderr))
})
