// `app plugin init <dir> [--ts]` (DESIGN 5b): a plugin skeleton that publishes cleanly as written, with the SDK
// declarations taken from the executable, so an author on an air-gapped host needs nothing else.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { ROOT, runCli, runCommand, tempDir } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'

test('plugin init --ts writes manifest, index.ts, tsconfig.json, the SDK types and a test; the result publishes with no warning', async (t) => {
  const root = tempDir(t, 'app-init-')
  const r = await runCli(['plugin', 'init', 'plugins/cost-guard', '--ts'], { cwd: root })
  assert.equal(r.code, 0, r.stderr)
  const dir = join(root, 'plugins/cost-guard')
  assert.deepEqual(readdirSync(dir, { recursive: true }).map(String).sort(), [
    'index.test.ts',
    'index.ts',
    'plugin.json',
    'tsconfig.json',
    'types',
    'types/app-plugin-testing.d.ts',
    'types/app-plugin.d.ts',
  ])
  assert.match(r.stdout, /wrote plugin "cost-guard"/)

  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'))
  assert.deepEqual(tsconfig.compilerOptions.paths, {
    'app/plugin': ['./types/app-plugin.d.ts'],
    'app/plugin/testing': ['./types/app-plugin-testing.d.ts'],
  })
  assert.equal(tsconfig.compilerOptions.experimentalDecorators, true)
  const types = readFileSync(join(dir, 'types/app-plugin.d.ts'), 'utf8')
  assert.match(types, /export declare const ScheduledEventManager/)
  assert.match(types, /resource: Resource \| null/, 'ctx.resource is declared')
  assert.match(types, /export \{ HonoApp as Hono, HtmlTag as html \}/, 'Hono and html are declared in the file itself')
  assert.doesNotMatch(types, /from 'hono/, 'the folder needs no hono package')
  assert.match(
    readFileSync(join(dir, 'index.test.ts'), 'utf8'),
    /import \{ createTestHost, type TestHost \} from 'app\/plugin\/testing'[\s\S]*host = await createTestHost\(\)/,
  )
  assert.match(
    readFileSync(join(dir, 'types/app-plugin-testing.d.ts'), 'utf8'),
    /export declare function createTestHost\(options\?: TestHostOptions\): Promise<TestHost>/,
  )
  // The skeleton type-checks against the written declarations alone (Node's own types for node:test).
  const tsc = await runCommand(
    join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', dir, '--typeRoots', join(ROOT, 'node_modules/@types'), '--types', 'node'],
    { env: { PATH: process.env.PATH } },
  )
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr)

  await publishInProcess(join(root, 'data'), join(root, 'plugins'))
  const store = await openReadonlyStore(join(root, 'data'))
  t.onTestFinished(() => store.close())
  const [p] = (await store.currentGeneration())!.plugins
  assert.equal(p?.name, 'cost-guard')
  assert.equal(p?.status, 'ok', JSON.stringify(p?.warnings))
  assert.deepEqual(p?.warnings, [])
  assert.deepEqual(p?.registered?.eventTypes, ['cost-guard.example'])
  assert.deepEqual(
    (p!.registered!.filters as Array<{ queryId: string }>).map((f) => f.queryId),
    ['cost-guard.filter.state'],
  )
  assert.deepEqual(
    (p!.registered!.actions as Array<{ uid: string }>).map((a) => a.uid),
    ['cost-guard.action.example'],
  )
})

test('plugin init (JavaScript) publishes cleanly too; a folder that is not empty is refused with exit 2 and nothing written', async (t) => {
  const root = tempDir(t, 'app-init-')
  const js = await runCli(['plugin', 'init', 'plugins/js-one'], { cwd: root })
  assert.equal(js.code, 0, js.stderr)
  assert.ok(existsSync(join(root, 'plugins/js-one/index.js')))
  assert.ok(existsSync(join(root, 'plugins/js-one/index.test.js')))
  assert.ok(existsSync(join(root, 'plugins/js-one/types/app-plugin.d.ts')))
  await publishInProcess(join(root, 'data'), join(root, 'plugins'))
  const store = await openReadonlyStore(join(root, 'data'))
  t.onTestFinished(() => store.close())
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => [p.name, p.status, p.warnings.length]),
    [['js-one', 'ok', 0]],
  )

  mkdirSync(join(root, 'busy'))
  writeFileSync(join(root, 'busy', 'notes.txt'), 'mine')
  const refused = await runCli(['plugin', 'init', 'busy', '--ts'], { cwd: root })
  assert.equal(refused.code, 2)
  assert.match(
    refused.stderr,
    /busy is not empty \(it holds notes\.txt\); app plugin init never overwrites files\. Choose a new or empty folder\./,
  )
  assert.deepEqual(readdirSync(join(root, 'busy')), ['notes.txt'])
})
