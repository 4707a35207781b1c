// Plugin settings values (SettingsPort) on both backends: what an operator sets is what every role reads,
// typed, with the time it was set; a write applies all its changes or none. On PostgreSQL the web role
// writes (the console; the CLI does the same) and the worker's role reads, as in production.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import type { SettingChange } from '../../src/settings/parse-setting-pairs.ts'
import { createPostgresSettingsStore } from '../../src/settings/postgres-settings-store.ts'
import type { SettingsPort } from '../../src/settings/settings-port.ts'
import { createSqliteSettingsStore } from '../../src/settings/settings-store.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

const settingsOf = (b: RuntimeBackend, role: DbRoleName): SettingsPort =>
  b.kind === 'sqlite' ? createSqliteSettingsStore(b.db) : createPostgresSettingsStore(b.pools[role])

const changes = (values: Record<string, unknown>): SettingChange[] =>
  Object.entries(values).map(([key, value]) => ({ key, value: value as SettingChange['value'] }))

const valuesOf = (stored: Map<string, { value: unknown }>) => Object.fromEntries([...stored].map(([k, s]) => [k, s.value]))

describe.each(BACKENDS)('plugin settings on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('values an operator sets read back typed in every role, per plugin, with when they were set', async (t) => {
    const b = await open(t)
    const before = Date.now()
    await settingsOf(b, 'web').write(
      'p',
      changes({
        webhookUrl: 'https://a.example/hook?x="1"',
        retries: 7,
        ratio: 0.25,
        verbose: false,
        tags: ['x', 2, true],
        token: 'env:API_TOKEN',
      }),
    )
    await settingsOf(b, 'web').write('q', changes({ level: 'low', token: 'file:/run/secrets/q' }))
    const worker = settingsOf(b, 'worker')
    const p = await worker.read('p')
    assert.deepEqual(valuesOf(p), {
      webhookUrl: 'https://a.example/hook?x="1"',
      retries: 7,
      ratio: 0.25,
      verbose: false,
      tags: ['x', 2, true],
      token: 'env:API_TOKEN',
    })
    for (const s of p.values())
      assert.ok(Date.parse(s.updatedAt) >= before - 1000 && Date.parse(s.updatedAt) <= Date.now() + 1000, s.updatedAt)
    assert.deepEqual(valuesOf(await worker.read('q')), { level: 'low', token: 'file:/run/secrets/q' }, 'a secret is kept as its reference')
    assert.deepEqual(valuesOf(await worker.read('nobody')), {})
    const all = await worker.readAll()
    assert.deepEqual([...all.keys()].sort(), ['p', 'q'])
    assert.deepEqual(valuesOf(all.get('q')!), { level: 'low', token: 'file:/run/secrets/q' })
  })

  test('a later write replaces and unsets keys; the keys it does not name keep their value and time', async (t) => {
    const b = await open(t)
    const web = settingsOf(b, 'web')
    await web.write('p', changes({ level: 'high', retries: 3, tags: ['a'] }))
    const first = await web.read('p')
    await new Promise((r) => setTimeout(r, 15))
    await web.write('p', [
      { key: 'level', value: 'low' },
      { key: 'retries', value: null },
      { key: 'fresh', value: 'set then' },
      { key: 'fresh', value: null },
    ])
    const now = await settingsOf(b, 'worker').read('p')
    assert.deepEqual(valuesOf(now), { level: 'low', tags: ['a'] }, 'a key set then unset in one write ends unset')
    assert.ok(now.get('level')!.updatedAt > first.get('level')!.updatedAt)
    assert.equal(now.get('tags')!.updatedAt, first.get('tags')!.updatedAt)
    await web.write('p', changes({ missing: null })) // unsetting what is not set is no error
  })

  test('a write with one value that cannot be stored changes nothing', async (t) => {
    const b = await open(t)
    const web = settingsOf(b, 'web')
    await web.write('p', changes({ level: 'high', retries: 3 }))
    // A BigInt has no JSON form: the third change fails after two were written in the transaction.
    await assert.rejects(web.write('p', changes({ level: 'low', retries: null, broken: 10n })), /BigInt/)
    assert.deepEqual(valuesOf(await web.read('p')), { level: 'high', retries: 3 })
  })
})
