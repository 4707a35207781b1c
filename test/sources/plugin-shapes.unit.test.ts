// The seed's plugin shapes besides a folder with plugin.json (DESIGN section 4): a single module file in
// plugins/ exporting its manifest, and a folder whose package.json holds the manifest under "appPlugin".
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { tempDir, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { loadCurrent } from '../loader/loader-helpers.ts'

test('a single module file is a plugin: named after the file, manifest from its exported `manifest`, version 0.0.0 unless given', async (t) => {
  const root = tempDir(t, 'app-shapes-')
  const plugins = join(root, 'plugins')
  mkdirSync(plugins)
  writeFileSync(
    join(plugins, 'plugin_instance_type_blacklist.ts'),
    `import { QueryRegistry, type Resource } from 'app/plugin'

// Read without running this file: a literal, type annotations allowed.
export const manifest: Record<string, unknown> = {
  apiVersion: 1,
  version: '1.4.0', // comments too
  metadata: { description: 'Flags instances of forbidden types' },
} as const

enum Forbidden { Huge = 'x1e.32xlarge' }

export function load(): void {
  QueryRegistry.register({ queryId: 'custom.filter.instance_type_blacklist', supportedResources: ['instance'] }, (r: Resource) => r.properties.instanceType === Forbidden.Huge)
}
`,
  )
  writeFileSync(join(plugins, 'solo.cjs'), `exports.manifest = { apiVersion: 1 }\nexports.load = () => {}\n`)
  writeFileSync(join(plugins, 'notes.js'), `// not a plugin: no manifest\nexport const x = 1\n`)
  writeFileSync(
    join(plugins, 'computed.mjs'),
    `const version = '1.0.0'\nexport const manifest = {\n  apiVersion: 1,\n  version,\n}\nexport function load() {}\n`,
  )
  const first = await publishInProcess(join(root, 'data'), plugins)

  const store = await openReadonlyStore(join(root, 'data'))
  t.onTestFinished(() => store.close())
  const byName = Object.fromEntries((await store.currentGeneration())!.plugins.map((p) => [p.name, p]))
  assert.deepEqual(Object.keys(byName).sort(), ['computed', 'plugin_instance_type_blacklist', 'solo'])
  const ts = byName.plugin_instance_type_blacklist!
  assert.equal(ts.status, 'ok', JSON.stringify(ts.warnings))
  assert.equal(ts.version, '1.4.0')
  assert.deepEqual(ts.manifest.modules, ['plugin_instance_type_blacklist.ts'])
  assert.equal((ts.manifest.metadata as { description: string }).description, 'Flags instances of forbidden types')
  assert.deepEqual(
    (ts.registered!.filters as Array<{ queryId: string }>).map((f) => f.queryId),
    ['custom.filter.instance_type_blacklist'],
  )
  assert.equal(byName.solo!.status, 'ok')
  assert.equal(byName.solo!.version, '0.0.0')
  const computed = byName.computed!
  assert.equal(computed.status, 'error')
  assert.equal(computed.warnings[0]!.code, 'MANIFEST_INVALID')
  assert.match(
    computed.warnings[0]!.message,
    /computed\.mjs: the exported manifest cannot be read: "version" is a shorthand property, which names a variable at line 4\. .*must be a literal/,
  )
  const notice = (await store.notices()).find((n) => n.code === 'NOT_A_PLUGIN')
  assert.match(
    notice?.message ?? '',
    /notes\.js in the plugins directory exports no manifest, so it is not a plugin\. A single-file plugin exports one: `export const manifest = \{ apiVersion: 1 \}`/,
  )
  assert.equal(notice?.severity, 'info')

  const { host } = await loadCurrent(t, join(root, 'data'))
  assert.equal(host.queries.get('custom.filter.instance_type_blacklist')?.plugin, 'plugin_instance_type_blacklist')
  // An unchanged rescan publishes nothing new.
  assert.equal((await publishInProcess(join(root, 'data'), plugins)).generation, first.generation)
})

test('a folder whose package.json holds the manifest under "appPlugin": name and version from package.json, modules from its main', async (t) => {
  const root = tempDir(t, 'app-shapes-')
  const plugins = join(root, 'plugins')
  writePlugin(plugins, 'checkout-of-my-plugin', null, {
    'package.json': JSON.stringify({
      name: 'pkg-plugin',
      version: '2.1.0',
      type: 'module',
      main: './lib/main.js',
      appPlugin: { apiVersion: 1, metadata: { author: 'Me' } },
    }),
    'lib/main.js': `import { QueryRegistry } from 'app/plugin'\nexport function load() { QueryRegistry.register({ queryId: 'pkg.filter' }, () => true) }\n`,
  })
  writePlugin(plugins, 'not-an-app-plugin', null, {
    'package.json': JSON.stringify({ name: 'left-pad', version: '1.0.0' }),
    'index.js': '',
  })
  await publishInProcess(join(root, 'data'), plugins)
  const store = await openReadonlyStore(join(root, 'data'))
  t.onTestFinished(() => store.close())
  const [p, ...rest] = (await store.currentGeneration())!.plugins
  assert.equal(rest.length, 0)
  assert.equal(p!.name, 'pkg-plugin')
  assert.equal(p!.version, '2.1.0')
  assert.equal(p!.status, 'ok', JSON.stringify(p!.warnings))
  assert.deepEqual(p!.manifest.modules, ['lib/main.js'])
  assert.deepEqual(p!.manifest.metadata, { author: 'Me' })
  assert.match(
    (await store.notices()).map((n) => n.message).join('\n'),
    /not-an-app-plugin has no plugin\.json at its root \(nor a package\.json with an "appPlugin" key\)/,
  )
})
