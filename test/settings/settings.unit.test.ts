// Plugin settings in-process: the manifest declaration check, `set key=value` parsing, the SDK's settings
// (on a real runtime.db) and the bot settings check of `app bots apply`.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'vitest'
import { checkBotSettings } from '../../src/bots/check-bot-settings.ts'
import { validateManifest } from '../../src/manifest/validate-manifest.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createSettingsApi } from '../../src/settings/create-settings-api.ts'
import { parseSettingPairs } from '../../src/settings/parse-setting-pairs.ts'
import { declaredSettings } from '../../src/settings/setting-declaration.ts'
import { createSettingsReader, writePluginSettings } from '../../src/settings/settings-store.ts'
import type { RegisteredIds } from '../../src/bots/registered-ids.ts'
import { tempDir } from '../helpers/cli.ts'

const DECLARED = [
  { name: 'webhookUrl', type: 'string', required: true },
  { name: 'token', type: 'string', secret: true },
  { name: 'level', type: 'choice', choices: ['low', 'high'], default: 'high' },
  { name: 'retries', type: 'number', default: 3 },
  { name: 'tags', type: 'list' },
  { name: 'dry', type: 'boolean' },
]

const check = (settings: unknown) =>
  validateManifest({
    folder: 'p',
    manifestText: JSON.stringify({ name: 'p', version: '1.0.0', apiVersion: 1, modules: ['index.js'], settings }),
    paths: new Set(['index.js']),
  })

describe('the manifest declaration, checked at publish', () => {
  test('a good declaration is kept with the manifest', () => {
    const r = check(DECLARED)
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(r.manifest?.settings, DECLARED)
  })

  test('a bad one is MANIFEST_INVALID naming the key, what was expected and what was found', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        [{ name: 'token', type: 'strng' }],
        /field "settings\.0\.type" is invalid: setting "token": expected "type" to be one of string, number, boolean, list, choice; found "strng"\. Fix plugin\.json/,
      ],
      [
        [{ name: 'level', type: 'choice', choices: ['low', 'high'], default: 'medium' }],
        /field "settings\.0\.default" .*expected the default to be one of low, high; found "medium"/,
      ],
      [[{ name: 'level', type: 'choice' }], /field "settings\.0\.choices" .*expected a "choice" to list its choices/],
      [[{ name: 'n', type: 'number', requried: true }], /field "settings\.0\.requried" .*unknown key "requried"/],
      [[{ name: 'k', type: 'number', secret: true }], /field "settings\.0\.secret" .*expected a secret to be of type "string"/],
      [[{ name: 'a b', type: 'string' }], /field "settings\.0\.name" .*expected a name of letters/],
      [
        [
          { name: 'x', type: 'string' },
          { name: 'x', type: 'list' },
        ],
        /field "settings\.1\.name" .*declared twice/,
      ],
      [{ webhookUrl: 'string' }, /field "settings" is invalid: expected an array of settings/],
    ]
    for (const [settings, message] of cases) {
      const [w, ...rest] = check(settings).warnings
      assert.equal(rest.length, 0)
      assert.equal(w?.code, 'MANIFEST_INVALID')
      assert.equal(w?.severity, 'error')
      assert.match(w!.message, message)
    }
  })
})

describe('app plugins settings <name> set key=value', () => {
  const declarations = declaredSettings({ settings: DECLARED })
  const parse = (...pairs: string[]) => parseSettingPairs(declarations, pairs, 'p 1.0.0')

  test('values are parsed by type; key= unsets', () => {
    assert.deepEqual(parse('retries=5', 'dry=false', 'tags=a, b,,c', 'level=low', 'token=env:P_TOKEN', 'webhookUrl=').changes, [
      { key: 'retries', value: 5 },
      { key: 'dry', value: false },
      { key: 'tags', value: ['a', 'b', 'c'] },
      { key: 'level', value: 'low' },
      { key: 'token', value: 'env:P_TOKEN' },
      { key: 'webhookUrl', value: null },
    ])
    assert.deepEqual(parse('tags=["x", 2, true]', 'token=file:/run/credentials/app/token').changes, [
      { key: 'tags', value: ['x', 2, true] },
      { key: 'token', value: 'file:/run/credentials/app/token' },
    ])
  })

  test('every bad pair is a problem naming key, expected, found and fix; a plain secret is not repeated', () => {
    const { changes, problems } = parse('retries=many', 'dry=yes', 'level=medium', 'token=hunter2', 'webhookURL=x', 'noequals', 'retries=1')
    assert.equal(changes.length, 0)
    const byKey = (k: string) => problems.filter((p) => p.key === k)
    assert.deepEqual(byKey('retries')[0], { key: 'retries', expected: 'a number', found: '"many"', fix: 'give retries=42' })
    assert.equal(byKey('dry')[0]!.expected, 'true or false')
    assert.equal(byKey('level')[0]!.expected, 'one of low, high')
    assert.deepEqual(
      byKey('token').map((p) => p.found),
      ['a plain value of 7 character(s), not shown since it may be the secret itself'],
    )
    assert.equal(parse('token=env:1BAD').problems[0]!.found, 'a plain value of 8 character(s), not shown since it may be the secret itself')
    assert.equal(byKey('retries')[1]!.expected, 'each key once')
    assert.ok(!JSON.stringify(problems).includes('hunter2'))
    assert.equal(byKey('webhookURL')[0]!.fix, 'did you mean "webhookUrl"?')
    assert.equal(byKey('noequals')[0]!.expected, 'key=value (key= with nothing after "=" unsets it)')
  })
})

describe('the SDK settings of a plugin, over runtime.db', () => {
  function setup(t: Parameters<typeof tempDir>[0], options: { dryRun?: boolean } = {}) {
    const dir = tempDir(t)
    const db = openRuntimeDb(join(dir, 'data'))
    t.onTestFinished(() => {
      db.close()
    })
    const reader = createSettingsReader(db)
    const settings = createSettingsApi('p', DECLARED, { ...reader, dryRun: options.dryRun })
    return {
      dir,
      db,
      settings,
      set: (changes: Record<string, unknown>) =>
        writePluginSettings(
          db,
          'p',
          Object.entries(changes).map(([key, value]) => ({ key, value: value as never })),
        ),
    }
  }

  test('get returns the value or the default, typed, and sees a change at once', (t) => {
    const { settings, set } = setup(t)
    assert.equal(settings.get('level'), 'high')
    assert.equal(settings.get('retries'), 3)
    assert.equal(settings.get('tags'), undefined)
    set({ webhookUrl: 'https://a.example', level: 'low', retries: 7, tags: ['x'] })
    assert.deepEqual(
      [settings.get('webhookUrl'), settings.get('level'), settings.get('retries'), settings.get('tags')],
      ['https://a.example', 'low', 7, ['x']],
    )
    set({ level: null })
    assert.equal(settings.get('level'), 'high', 'unset: back to the default')
  })

  test('an unset required setting throws PermanentError naming the key and the command; an undeclared key is a TypeError', (t) => {
    const { settings } = setup(t)
    assert.throws(
      () => settings.get('webhookUrl'),
      (e: Error) =>
        e.name === 'PermanentError' &&
        /the required setting "webhookUrl" is not set\. Set it: app plugins settings p set webhookUrl=/.test(e.message),
    )
    assert.throws(
      () => settings.get('webhookURL'),
      (e: Error) => e instanceof TypeError && /"webhookURL" is not a declared setting; declared: webhookUrl, token/.test(e.message),
    )
  })

  test('a stored value that no longer fits the declaration throws PermanentError saying so', (t) => {
    const { settings, set } = setup(t)
    set({ retries: 'three' })
    assert.throws(
      () => settings.get('retries'),
      (e: Error) => e.name === 'PermanentError' && /the stored value of "retries" is "three", expected a number/.test(e.message),
    )
  })

  test('secret resolves env: and file: references in this process, one trailing newline trimmed', async (t) => {
    const { dir, settings, set } = setup(t)
    assert.equal(await settings.secret('token'), undefined, 'unset, not required')
    const file = join(dir, 'token')
    writeFileSync(file, 'from-file\n\n')
    set({ token: `file:${file}` })
    assert.equal(await settings.secret('token'), 'from-file\n')
    assert.equal(settings.get('token'), `file:${file}`, 'get gives the reference')
    process.env.P_SETTINGS_TEST_TOKEN = 'from-env'
    t.onTestFinished(() => {
      delete process.env.P_SETTINGS_TEST_TOKEN
    })
    set({ token: 'env:P_SETTINGS_TEST_TOKEN' })
    assert.equal(await settings.secret('token'), 'from-env')
    await assert.rejects(settings.secret('level'), /"level" is not declared secret/)
  })

  test('a reference that cannot be resolved throws naming the key and the reference, not a value', async (t) => {
    const { dir, settings, set } = setup(t)
    set({ token: 'env:P_SETTINGS_TEST_UNSET' })
    await assert.rejects(
      settings.secret('token'),
      /settings\.secret\("token"\) of plugin "p": its reference env:P_SETTINGS_TEST_UNSET names an environment variable that is not set/,
    )
    set({ token: `file:${join(dir, 'missing')}` })
    await assert.rejects(
      settings.secret('token'),
      new RegExp(`its reference file:${join(dir, 'missing')} cannot be read in this process \\(pid \\d+\\): ENOENT`),
    )
  })

  test('in the publish dry run nothing throws for missing values', async (t) => {
    const { settings, set } = setup(t, { dryRun: true })
    assert.equal(settings.get('webhookUrl'), undefined)
    set({ token: 'env:P_SETTINGS_TEST_UNSET' })
    assert.equal(await settings.secret('token'), undefined)
  })
})

describe('bots apply: bot settings against the registered settingsConfig', () => {
  const registered: RegisteredIds = {
    generation: 1,
    known: true,
    queries: new Set(['f.type']),
    actions: new Set(['a.notify', 'a.free']),
    eventTypes: new Set(),
    filterSpecs: new Map([
      [
        'f.type',
        {
          plugin: 'p',
          supportedResources: ['instance'],
          settingsConfig: [
            { name: 'types', type: 'list', choices: ['t2.nano', 'm1.small'] },
            { name: 'min', type: 'int' },
          ],
        },
      ],
    ]),
    actionSpecs: new Map([
      [
        'a.notify',
        {
          plugin: 'p',
          settingsConfig: [
            { name: 'channel', type: 'string', required: true },
            { name: 'level', type: 'choice', choices: ['low', 'high'], default: 'high' },
          ],
        },
      ],
      ['a.free', { plugin: 'p', settingsConfig: null }],
    ]),
  }
  const bot = (name: string, extra: Record<string, unknown>) =>
    ({
      name,
      enabled: true,
      resourceTypes: ['instance'],
      filters: [],
      action: { uid: 'a.free', settings: {} },
      schedule: null,
      ...extra,
    }) as never

  test('every problem of every bot, each naming bot, filter or action, key, expected and found', () => {
    const problems = checkBotSettings(
      [
        bot('good', { action: { uid: 'a.notify', settings: { channel: '#ops' } } }),
        bot('bad', {
          resourceTypes: ['instance', 'database'],
          filters: [{ queryId: 'f.type', settings: { types: ['t3.large'], min: 1.5 } }],
          action: { uid: 'a.notify', settings: { levle: 'low' } },
        }),
        bot('free-form', { action: { uid: 'a.free', settings: { anything: 1 } } }),
      ],
      registered,
    )
    assert.deepEqual(
      problems.map((p) => [p.bot, p.kind, p.id, p.key, p.expected, p.found]),
      [
        ['bad', 'filter', 'f.type', 'resourceTypes', 'resource types the filter supports (instance)', '"database"'],
        ['bad', 'filter', 'f.type', 'types', 'values among "t2.nano", "m1.small"', '["t3.large"]'],
        ['bad', 'filter', 'f.type', 'min', 'a whole number', '1.5'],
        [
          'bad',
          'action',
          'a.notify',
          'levle',
          'one of the settings action "a.notify" (plugin p) declares: channel, level',
          'the key "levle"',
        ],
        ['bad', 'action', 'a.notify', 'channel', 'a string (required)', 'nothing'],
      ],
    )
    assert.match(
      problems[3]!.message,
      /^bot "bad": action "a\.notify": setting "levle": expected .*; found the key "levle"\. Fix: did you mean "level"\?$/,
    )
  })
})
