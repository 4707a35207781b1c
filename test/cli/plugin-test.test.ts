// `app plugin test <dir>` (DESIGN 5b): the plugin's own *.test.* files run by node:test against the test host,
// output as `node --test` prints it, exit 1 naming each test that failed, TypeScript compiled the scheduler's way.
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { runCli, tempDir, writePlugin } from '../helpers/cli.ts'

test('init --ts then test passes out of the box; a failing test exits 1 naming it, at its TypeScript line; temporary directories are removed', async (t) => {
  const root = tempDir(t, 'app-plugin-test-')
  const tmp = join(root, 'tmp')
  mkdirSync(tmp)
  const env = { TMPDIR: tmp }
  assert.equal((await runCli(['plugin', 'init', 'cost-guard', '--ts'], { cwd: root })).code, 0)
  const passing = await runCli(['plugin', 'test', 'cost-guard'], { cwd: root, env })
  assert.equal(passing.code, 0, passing.stdout + passing.stderr)
  assert.match(passing.stdout, /✔ publishes and loads with no warning/)
  assert.match(passing.stdout, /ℹ tests 2\nℹ suites 1\nℹ pass 2\nℹ fail 0/)

  const file = join(root, 'cost-guard/index.test.ts')
  const line = readFileSync(file, 'utf8').split('\n').length + 1 // the new test's line: after the file and one blank line
  appendFileSync(
    file,
    `
test('counts the resources', async () => {
  const host = await createTestHost()
  try {
    await host.resources.add({ id: 'i-9', type: 'instance' })
    assert.equal((await host.resources.find()).length, 2)
  } finally {
    await host.close()
  }
})
`,
  )
  const failing = await runCli(['plugin', 'test', 'cost-guard'], { cwd: root, env })
  assert.equal(failing.code, 1, failing.stdout + failing.stderr)
  assert.match(failing.stdout, /✖ counts the resources/)
  assert.match(
    failing.stdout,
    new RegExp(`test at cost-guard/index\\.test\\.ts:${line}:1`),
    'the failing test is placed at its own TypeScript line',
  )
  assert.match(
    failing.stdout,
    new RegExp(`at TestContext\\.<anonymous> \\(.*cost-guard/index\\.test\\.ts:${line + 4}:12\\)`),
    'and so is its stack',
  )
  assert.match(failing.stdout, /1 !== 2/)
  assert.match(failing.stderr, /app: 1 test\(s\) of plugin "cost-guard" failed: "counts the resources"/)
  assert.deepEqual(readdirSync(tmp), [], 'no test host or run directory is left behind')
})

test('a test file that imports a package fails before anything runs, as the publish would; a folder with no tests, or no folder, is refused', async (t) => {
  const root = tempDir(t, 'app-plugin-test-')
  const dir = writePlugin(
    root,
    'pkg-user',
    { name: 'pkg-user', version: '1.0.0', apiVersion: 1, modules: ['index.ts'] },
    {
      'index.ts': 'export function load(): void {}\n',
      'index.test.ts': "import { describe } from 'vitest'\ndescribe('x', () => {})\n",
    },
  )
  const bad = await runCli(['plugin', 'test', dir])
  assert.equal(bad.code, 1)
  assert.match(
    bad.stderr,
    /plugin "pkg-user": its TypeScript does not compile as the scheduler would compile it, so no test ran:\n {2}MODULE_NOT_FOUND: plugin "pkg-user": pkg-user\/index\.test\.ts:1:26 imports "vitest", a package the plugin does not contain/,
  )

  writeFileSync(join(dir, 'index.test.ts'), '')
  const none = await runCli(['plugin', 'test', dir])
  assert.equal(none.code, 0, 'an empty test file is a test file with no tests')
  const empty = writePlugin(
    root,
    'no-tests',
    { name: 'no-tests', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
    { 'index.js': 'export function load() {}\n' },
  )
  const missing = await runCli(['plugin', 'test', empty])
  assert.equal(missing.code, 1)
  assert.match(
    missing.stderr,
    /app: no test files in .*no-tests: `app plugin test` runs the plugin's \*\.test\.js, \.mjs, \.cjs, \.ts and \.mts files/,
  )
  const nowhere = await runCli(['plugin', 'test', join(root, 'nope')])
  assert.equal(nowhere.code, 2)
  assert.match(nowhere.stderr, /nope does not exist; `app plugin test <dir>` takes a plugin folder/)
})
