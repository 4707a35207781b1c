// An `npm pack` tarball of a plugin whose package.json holds the manifest under "appPlugin": made by the real
// npm client, dropped into plugins/, published (the files sit under package/ in the archive).
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { runCommand, tempDir, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'

test('an npm pack tarball (package/ prefix) with "appPlugin" in its package.json is published like a folder', async (t) => {
  const root = tempDir(t, 'app-npm-pack-')
  const plugins = join(root, 'plugins')
  mkdirSync(plugins)
  const src = writePlugin(root, 'src', null, {
    'package.json': JSON.stringify({
      name: 'packed-plugin',
      version: '3.0.1',
      main: 'index.ts',
      files: ['index.ts', 'lib'],
      appPlugin: { apiVersion: 1 },
    }),
    'index.ts': `import { QueryRegistry } from 'app/plugin'\nimport { always } from './lib/always.ts'\nexport function load(): void { QueryRegistry.register({ queryId: 'packed.filter' }, always) }\n`,
    'lib/always.ts': `export const always = (): boolean => true\n`,
  })
  const packed = await runCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', plugins], {
    cwd: src,
    env: { PATH: process.env.PATH, HOME: root, npm_config_cache: join(root, 'npm-cache') },
  })
  assert.equal(packed.code, 0, packed.stderr)
  assert.deepEqual(readdirSync(plugins), ['packed-plugin-3.0.1.tgz'])

  await publishInProcess(join(root, 'data'), plugins)
  const store = await openReadonlyStore(join(root, 'data'))
  t.onTestFinished(() => store.close())
  const [p] = (await store.currentGeneration())!.plugins
  assert.equal(p?.name, 'packed-plugin')
  assert.equal(p?.version, '3.0.1')
  assert.equal(p?.status, 'ok', JSON.stringify(p?.warnings))
  assert.deepEqual(p?.manifest.modules, ['index.ts'])
  assert.deepEqual(
    (p!.registered!.filters as Array<{ queryId: string }>).map((f) => f.queryId),
    ['packed.filter'],
  )
})
