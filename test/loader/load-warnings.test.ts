import assert from 'node:assert/strict'
import { test } from 'vitest'
import { installWith, publish, reportJson } from './loader-helpers.ts'

interface ShownWarning {
  code: string
  severity: string
  message: string
  where?: string[]
}

test('each load warning code comes from the publish dry run, with the severity that decides whether the plugin loads', async (t) => {
  const fixtures = [
    'import-failed',
    'load-missing',
    'load-failed',
    'load-timeout',
    'deprecated-api',
    'unload-leak',
    'unload-failed',
    'dup-a',
    'dup-b',
  ]
  const { root } = installWith(t, fixtures)
  await publish(root)
  const { plugins } = (await reportJson(root, ['plugins', 'list'])) as {
    plugins: Array<{ name: string; status: string; warnings: ShownWarning[] }>
  }
  const byName = new Map(plugins.map((p) => [p.name, p]))
  const expect: Array<[string, string, string, RegExp]> = [
    ['import-failed', 'IMPORT_FAILED', 'error', /importing index\.js failed.*this module throws while it is imported/],
    ['load-missing', 'LOAD_MISSING', 'error', /index\.cjs \(modules\[0\]\) does not export a load\(\) function; it exports start/],
    ['load-failed', 'LOAD_FAILED', 'error', /load\(\) threw Error: fixture: load\(\) throws/],
    ['load-timeout', 'LOAD_TIMEOUT', 'error', /load\(\) did not settle within 3000 ms/],
    ['deprecated-api', 'DEPRECATED_API', 'warning', /DivvyDbObjects is deprecated .* use DbObjects instead/],
    ['unload-leak', 'UNLOAD_LEAK', 'warning', /left 1 timer \(setTimeout\/setInterval\) running after unload\(\)/],
    ['unload-leak', 'UNLOAD_LEAK', 'warning', /registered the filter \(QueryRegistry\) "fixture\.leak\.late_\d+" after it was unloaded/],
    ['unload-failed', 'UNLOAD_FAILED', 'warning', /unload\(\) threw Error: fixture: unload\(\) throws/],
    ['dup-b', 'DUPLICATE_UID', 'warning', /"fixture\.dup\.shared" is registered by both "dup-a" and "dup-b"; "dup-a" keeps it/],
  ]
  for (const [name, code, severity, message] of expect) {
    const p = byName.get(name)
    assert.ok(p, `${name} is listed`)
    const w = p.warnings.find((x) => x.code === code && message.test(x.message))
    assert.ok(w, `${name} has ${code} matching ${message}; it has ${JSON.stringify(p.warnings, null, 1)}`)
    assert.equal(w.severity, severity, `${name} ${code}`)
    assert.equal(p.status, severity === 'error' ? 'error' : 'warning', `${name}: status follows the worst warning`)
  }
  // DEPRECATED_API once per plugin, however often the old name is used.
  assert.equal(byName.get('deprecated-api')!.warnings.filter((w) => w.code === 'DEPRECATED_API').length, 1)
  // The first plugin in name order keeps the uid and has no warning.
  assert.deepEqual(byName.get('dup-a')!.warnings, [])
  assert.equal(byName.get('dup-a')!.status, 'ok')

  // What the dry run saw registered is stored with the version.
  const shown = await reportJson(root, ['plugins', 'show', 'dup-b'])
  assert.deepEqual(
    shown.registered.filters.map((f: { queryId: string }) => f.queryId),
    ['fixture.dup.own'],
  )
  const failed = await reportJson(root, ['plugins', 'show', 'load-failed'])
  assert.equal(failed.registered, null, 'a failed load registers nothing')
})
