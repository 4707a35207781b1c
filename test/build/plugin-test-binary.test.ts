// The plugin author's loop on the built executable in an empty environment (env {}: no `node` on the PATH, no
// network): `dist/app plugin init --ts` then `dist/app plugin test` passes as written, node:test and the test
// host (`app/plugin/testing`) coming from the executable itself; a failing test exits 1 and is named.
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, test } from 'vitest'
import { sdkTestingDeclarations } from '../../src/sdk/sdk-declarations.ts'
import { tempDir } from '../helpers/cli.ts'
import { DIST_APP, run } from './run-command.ts'

beforeAll(() => {
  assert.ok(existsSync(DIST_APP), `${DIST_APP} is missing: run \`npm run build\` first (\`npm test\` does it for you)`)
})

test('dist/app with env {}: plugin init --ts, then plugin test passes; a failing test makes it exit 1 naming the test', async (t) => {
  const root = tempDir(t, 'app-bin-plugin-test-')
  const init = await run(DIST_APP, ['plugin', 'init', 'cost-guard', '--ts'], { cwd: root, env: {} })
  assert.equal(init.code, 0, init.stderr)
  assert.equal(
    readFileSync(join(root, 'cost-guard/types/app-plugin-testing.d.ts'), 'utf8'),
    sdkTestingDeclarations(),
    "the test host's declarations come from the executable",
  )
  const passing = await run(DIST_APP, ['plugin', 'test', 'cost-guard'], { cwd: root, env: {} })
  assert.equal(passing.code, 0, passing.stdout + passing.stderr)
  assert.match(passing.stdout, /▶ cost-guard\n {2}✔ publishes and loads with no warning/)
  assert.match(passing.stdout, /ℹ pass 2\nℹ fail 0/)

  appendFileSync(
    join(root, 'cost-guard/index.test.ts'),
    `
test('the filter also takes running instances', async () => {
  const host = await createTestHost()
  await host.resources.add({ id: 'i-3', type: 'instance', state: 'running' })
  const run = await host.runBot({ resourceTypes: ['instance'], filters: [{ queryId: 'cost-guard.filter.state' }], action: { uid: 'cost-guard.action.example' } })
  await host.close()
  assert.deepEqual(run.matches.map((r) => r.id), ['i-3'])
})
`,
  )
  const failing = await run(DIST_APP, ['plugin', 'test', 'cost-guard'], { cwd: root, env: {} })
  assert.equal(failing.code, 1, failing.stdout + failing.stderr)
  assert.match(failing.stdout, /✖ the filter also takes running instances/)
  assert.match(failing.stdout, /ℹ pass 2\nℹ fail 1/)
  assert.match(failing.stderr, /app: 1 test\(s\) of plugin "cost-guard" failed: "the filter also takes running instances"/)
})
