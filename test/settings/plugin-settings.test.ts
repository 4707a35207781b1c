// Plugin settings end to end (DESIGN section 5b): a plugin declares a required setting and a secret; real
// scheduler, worker and web processes run it; the operator sets the values with the CLI while they run.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { manifest, runCli, startCli, tempDir, writePlugin, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

const NOTIFIER = `
import { writeFileSync } from 'node:fs'
import { BotFactoryRegistryWrapper, settings } from 'app/plugin'

const registry = new BotFactoryRegistryWrapper()
registry.action({ uid: 'notifier.action.report', name: 'report what the settings say', bulkAction: true,
  settingsConfig: [{ name: 'file', type: 'string', required: true }, { name: 'format', type: 'choice', choices: ['json', 'text'], default: 'json' }] },
  async (bot, botSettings) => {
    const seen = { webhookUrl: settings.get('webhookUrl'), token: await settings.secret('token'), level: settings.get('level') }
    writeFileSync(botSettings.file, JSON.stringify(seen))
  })
export function load() { registry.load() }
export function unload() { registry.unload() }
`

const SETTINGS = [
  { name: 'webhookUrl', type: 'string', required: true, description: 'where notifications go' },
  { name: 'token', type: 'string', secret: true, description: 'sent as the authorization header' },
  { name: 'level', type: 'choice', choices: ['low', 'high'], default: 'high' },
]

async function startInstall(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  writePlugin(join(root, 'plugins'), 'notifier', manifest('notifier', { settings: SETTINGS }), { 'index.js': NOTIFIER })
  writeFileSync(join(root, 'app.toml'), '[jobs]\nmaxAttempts = 1\n')
  writeFileSync(
    join(root, 'resources.json'),
    JSON.stringify([{ id: 'i-1', type: 'instance', cloud: 'aws', account: '1', region: 'us-east-1', name: 'web-1', state: 'stopped' }]),
  )
  const adminToken = randomBytes(32).toString('base64url')
  const env = { APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: adminToken }
  const roles: RunningRole[] = []
  t.onTestFinished(async () => {
    for (const r of roles.reverse()) await r.stop('SIGKILL')
  })
  const start = (role: string, ready: RegExp, extra: string[] = []) => {
    const r = startCli([`--role=${role}`, '--data-dir', 'data', '--plugins-dir', 'plugins', ...extra], { cwd: root, env })
    roles.push(r)
    return r.waitFor(ready, 60_000).then((m) => ({ role: r, match: m }))
  }
  await start('scheduler', /scheduler started/)
  const [worker, web] = await Promise.all([start('worker', /handlers ready/), start('web', /^.*"msg":"web listening.*$/m, ['--port', '0'])])
  const url = (JSON.parse(web.match[0]) as { url: string }).url
  await web.role.waitFor(/"msg":"web ready"/, 60_000)
  const app = (...args: string[]) => runCli([...args, '--data-dir', 'data'], { cwd: root, env })
  const json = async (...args: string[]) => {
    const r = await app(...args, '--json')
    assert.equal(r.code, 0, r.stderr)
    return { data: JSON.parse(r.stdout), text: r.stdout }
  }
  const api = async (path: string) => {
    const res = await fetch(new URL(path, url), { headers: { Authorization: `Bearer ${adminToken}` } })
    assert.equal(res.status, 200)
    return res.text()
  }
  return { root, roles, worker: worker.role, app, json, api }
}

type Warning = { code: string; plugin: string; message: string; where: string[] }

test('a required setting and a secret: SETTINGS_INVALID until set from the CLI, then the running code reads both; the secret stays in its file', async (t) => {
  const { root, roles, worker, app, json, api } = await startInstall(t)
  const secret = `tok-${randomBytes(12).toString('hex')}`
  const secretFile = join(root, 'notifier-token')
  writeFileSync(secretFile, `${secret}\n`)
  const settingsWarning = async () =>
    ((await json('plugins', 'warnings')).data.warnings as Warning[]).find((w) => w.code === 'SETTINGS_INVALID' && w.plugin === 'notifier')

  // Loaded by the roles with webhookUrl unset: the warning names the key and the command, the worker says so in its log.
  await worker.waitFor(/"code":"SETTINGS_INVALID".*the required setting \\"webhookUrl\\" is not set/)
  const warning = await waitUntil('SETTINGS_INVALID seen by the worker and the web role', async () => {
    const w = await settingsWarning()
    return w?.where.some((p) => p.startsWith('worker@')) && w.where.some((p) => p.startsWith('web@')) ? w : null
  })
  assert.match(warning.message, /the required setting "webhookUrl" is not set.*app plugins settings notifier set webhookUrl=/)

  // The code reading it meanwhile fails with PermanentError naming the key.
  assert.equal((await app('resources', 'import', 'resources.json')).code, 0)
  const out = join(root, 'seen.json')
  writeFileSync(
    join(root, 'bots.json'),
    JSON.stringify([{ name: 'report', resourceTypes: ['instance'], action: { uid: 'notifier.action.report', settings: { file: out } } }]),
  )
  const applied = await app('bots', 'apply', 'bots.json')
  assert.equal(applied.code, 0, applied.stderr)
  const runBot = async () => (await json('bots', 'run', 'report')).data.id as number
  const first = await runBot()
  const failed = await waitUntil('the first run to fail', async () => {
    const e = (await json('events', 'show', String(first))).data
    return e.status === 'failed' ? e : null
  })
  assert.match(failed.lastError, /PermanentError.*the required setting "webhookUrl" is not set/s)

  // Set both; the warning goes and the same worker, not restarted, reads the value and the secret.
  const set = await app('plugins', 'settings', 'notifier', 'set', 'webhookUrl=https://hooks.example/notify', `token=file:${secretFile}`)
  assert.equal(set.code, 0, set.stderr)
  assert.equal(await settingsWarning(), undefined, 'SETTINGS_INVALID is gone once the settings are set')
  const second = await runBot()
  await waitUntil('the second run to finish', async () =>
    ['done', 'failed'].includes((await json('events', 'show', String(second))).data.status),
  )
  assert.equal((await json('events', 'show', String(second))).data.status, 'done')
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { webhookUrl: 'https://hooks.example/notify', token: secret, level: 'high' })

  // Bad input exits 2 naming key, expected, found and fix, and changes nothing (not even the good pair beside it).
  const before = (await json('plugins', 'settings', 'notifier')).data
  const bad = await app(
    'plugins',
    'settings',
    'notifier',
    'set',
    'level=low',
    'webhookUrl=',
    'level=medium',
    `token=${secret}`,
    'webhookUrll=x',
  )
  assert.equal(bad.code, 2, bad.stderr)
  assert.match(bad.stderr, /no setting was changed/)
  assert.match(
    bad.stderr,
    /token: expected a secret reference, env:NAME or file:\/absolute\/path; found a plain value of \d+ character\(s\), not shown.*Fix: .*token=file:/,
  )
  assert.match(
    bad.stderr,
    /webhookUrll: expected one of the settings notifier 1\.0\.0 declares: webhookUrl, token, level; found "webhookUrll"\. Fix: did you mean "webhookUrl"\?/,
  )
  assert.match(bad.stderr, /level: expected each key once/)
  assert.ok(!bad.stderr.includes(secret), 'a secret given by mistake as a plain value is not echoed')
  assert.deepEqual((await json('plugins', 'settings', 'notifier')).data, before)
  const view = (await json('plugins', 'settings', 'notifier')).data
  assert.deepEqual(
    view.settings.map((s: { name: string; value: unknown; source: string; secret: boolean }) => [s.name, s.value, s.source, s.secret]),
    [
      ['webhookUrl', 'https://hooks.example/notify', 'set', false],
      ['token', `file:${secretFile}`, 'set', true],
      ['level', null, 'default', false],
    ],
  )

  // The secret is only ever the reference: CLI JSON, API, runtime.db bytes, backups, logs.
  const detail = await waitUntil('the API without SETTINGS_INVALID', async () => {
    const body = await api('/api/v1/plugins/notifier')
    return JSON.parse(body).warnings.some((w: Warning) => w.code === 'SETTINGS_INVALID') ? null : body
  })
  const plugin = JSON.parse(detail)
  assert.equal(plugin.settings.settings.find((s: { name: string }) => s.name === 'token').value, `file:${secretFile}`)
  assert.deepEqual(plugin.registered.actions[0].settingsConfig, [
    { name: 'file', type: 'string', required: true },
    { name: 'format', type: 'choice', choices: ['json', 'text'], default: 'json' },
  ])
  const shown = (await json('plugins', 'show', 'notifier')).data
  assert.deepEqual(shown.registered.actions[0].settingsConfig, plugin.registered.actions[0].settingsConfig)
  assert.equal((await app('backup', 'backup')).code, 0)
  const dbFiles = [
    ...readdirSync(join(root, 'data'))
      .filter((f) => f.startsWith('runtime.db'))
      .map((f) => join(root, 'data', f)),
    ...readdirSync(join(root, 'backup')).map((f) => join(root, 'backup', f)),
  ]
  assert.ok(dbFiles.some((f) => f.endsWith('runtime.db')) && existsSync(join(root, 'backup')))
  const places: Array<[string, string]> = [
    ['plugins settings --json', JSON.stringify(view)],
    ['plugins show --json', JSON.stringify(shown)],
    ['/api/v1/plugins/notifier', detail],
    ['/api/v1/warnings', await api('/api/v1/warnings')],
    ...roles.map((r, i): [string, string] => [`log of role ${i}`, r.output()]),
    ...dbFiles.map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
  ]
  for (const [where, text] of places) assert.ok(!text.includes(secret), `the secret's value appears in ${where}`)
  assert.ok(
    places.some(([, text]) => text.includes(`file:${secretFile}`)),
    'the reference is what is shown',
  )
})

test('bots apply checks every bot against the registered settingsConfig: exit 2, every problem listed, nothing applied', async (t) => {
  const root = tempDir(t)
  writePlugin(join(root, 'plugins'), 'notifier', manifest('notifier', { settings: SETTINGS }), { 'index.js': NOTIFIER })
  const app = (...args: string[]) =>
    runCli([...args, '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env: { APP_SETTLE_MS: '0' } })
  const json = async (...args: string[]) => JSON.parse((await app(...args, '--json')).stdout)
  assert.equal((await app('plugins', 'sync')).code, 0)
  const action = (settings: Record<string, unknown>) => ({ uid: 'notifier.action.report', settings })
  writeFileSync(
    join(root, 'bad.json'),
    JSON.stringify([
      { name: 'ok', resourceTypes: ['instance'], action: action({ file: '/tmp/x' }) },
      { name: 'missing-required', resourceTypes: ['instance'], action: action({}) },
      { name: 'misspelled', resourceTypes: ['instance'], action: action({ file: '/tmp/x', fromat: 'text' }) },
      { name: 'wrong-choice', resourceTypes: ['instance'], action: action({ file: '/tmp/x', format: 'xml' }) },
    ]),
  )
  const r = await app('bots', 'apply', 'bad.json')
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /3 problem\(s\) in 3 bot\(s\) of bad\.json, so no bot was applied/)
  assert.match(
    r.stderr,
    /bot "missing-required": action "notifier\.action\.report": setting "file": expected a string \(required\); found nothing/,
  )
  assert.match(
    r.stderr,
    /bot "misspelled": action "notifier\.action\.report": setting "fromat": expected one of the settings .* declares: file, format; found the key "fromat"\. Fix: did you mean "format"\?/,
  )
  assert.match(
    r.stderr,
    /bot "wrong-choice": action "notifier\.action\.report": setting "format": expected one of "json", "text"; found "xml"/,
  )
  assert.deepEqual((await json('bots', 'list')).bots, [], 'not even the good bot of the file is applied')
  writeFileSync(
    join(root, 'good.json'),
    JSON.stringify([{ name: 'ok', resourceTypes: ['instance'], action: action({ file: '/tmp/x', format: 'text' }) }]),
  )
  const good = await app('bots', 'apply', 'good.json')
  assert.equal(good.code, 0, good.stderr)
  assert.match(good.stdout, /applied 1 bot\(s\): 1 created/)
})
