// No silent downgrade (DESIGN section 9): a source that goes back to an older release is refused, unless the
// operator rolls back or the source sets allowDowngrade.
import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { sourceSchema } from '../../src/config/config-schema.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { buildPluginReport } from '../../src/report/plugin-report.ts'
import { createTrust } from '../../src/signing/create-trust.ts'
import { rawPublicKey } from '../../src/signing/signing-keys.ts'
import { createHttpSource, type HttpSourceConfig } from '../../src/sources/http-source.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { manifest, runCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { pluginFiles, tgzOf, withSignature } from './archive-fixtures.ts'
import { startHttpServer } from './http-fixture.ts'

const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** A plugin site whose index offers one signed release of "guard" at a time. */
async function releaseSite(t: TestContext) {
  const http = await startHttpServer(t)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const trust = createTrust({ publicKeys: [rawPublicKey(publicKey).toString('base64')], requireSignature: true })
  return {
    offer(version: string) {
      const data = tgzOf(withSignature(pluginFiles('guard', version), privateKey), 'package/')
      http.serve(`/guard-${version}.tgz`, data)
      http.serve('/index.json', JSON.stringify({ plugins: [{ url: `guard-${version}.tgz`, sha256: sha(data) }] }))
    },
    source(extra: Record<string, unknown> = {}) {
      const config = sourceSchema.parse({ type: 'http', url: http.url('/index.json'), ...extra }) as HttpSourceConfig
      return createHttpSource(config, { where: 'sources[0]', limits, trust })
    },
  }
}

test('an index that goes back from a signed 1.1.0 to a signed 1.0.0 is refused with DOWNGRADE_REFUSED and 1.1.0 stays; allowDowngrade lets it through', async (t) => {
  const site = await releaseSite(t)
  const store = await openWritableStore(join(tempDir(t), 'data'))
  t.onTestFinished(() => store.close())
  site.offer('1.1.0')
  await syncPlugins({ store, sources: [site.source()] })
  const published = (await store.currentGeneration())!
  assert.deepEqual(
    published.plugins.map((p) => [p.name, p.version, p.signature?.state]),
    [['guard', '1.1.0', 'valid']],
  )

  site.offer('1.0.0') // correctly signed, just older
  await syncPlugins({ store, sources: [site.source()] })
  const after = (await store.currentGeneration())!
  assert.equal(after.id, published.id, 'no new generation: the current version stays')
  assert.equal(after.plugins[0]!.version, '1.1.0')
  const report = await buildPluginReport(store)
  const guard = report.plugins.find((p) => p.name === 'guard')!
  const refused = guard.warnings.find((w) => w.code === 'DOWNGRADE_REFUSED')
  assert.ok(refused, `DOWNGRADE_REFUSED among ${JSON.stringify(guard.warnings)}`)
  assert.equal(refused.severity, 'error')
  assert.equal(refused.version, '1.0.0', 'the warning is about the offered version')
  assert.match(refused.message, /offers guard 1\.0\.0, lower than the published 1\.1\.0, so it was refused and 1\.1\.0 stays loaded/)
  assert.match(refused.message, /app plugins rollback <generation>.*allowDowngrade = true/)
  assert.equal(guard.status, 'warning', 'loaded, but needs attention')

  const again = await syncPlugins({ store, sources: [site.source()] })
  assert.equal(again.generation, published.id, 'the refusal is stable')

  await syncPlugins({ store, sources: [site.source({ allowDowngrade: true })] })
  assert.equal((await store.currentGeneration())!.plugins[0]!.version, '1.0.0', 'a source with allowDowngrade may go back')
  assert.ok(!(await store.notices()).some((n) => n.code === 'DOWNGRADE_REFUSED'))
})

test('the local directory is held to the same rule; `app plugins rollback` is how an operator goes back, and rescans keep it', async (t) => {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  const args = ['--data-dir', join(root, 'data'), '--plugins-dir', plugins]
  const cli = async (...a: string[]) => {
    const r = await runCli([...a, ...args], { cwd: root, env: { APP_SETTLE_MS: '0' } })
    assert.equal(r.code, 0, `${a.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const tool = (version: string) =>
    writePlugin(plugins, 'tool', manifest('tool', { version }), { 'index.js': `export function load() {} // ${version}\n` })
  const versions = async () =>
    Object.fromEntries(
      JSON.parse(await cli('plugins', 'list', '--json')).plugins.map((p: { name: string; version: string }) => [p.name, p.version]),
    )
  const downgrades = async () =>
    JSON.parse(await cli('plugins', 'warnings', '--json')).warnings.filter((w: { code: string }) => w.code === 'DOWNGRADE_REFUSED')

  tool('1.0.0')
  await cli('plugins', 'sync')
  const first = JSON.parse(await cli('plugins', 'list', '--json')).generation as number
  tool('1.1.0')
  await cli('plugins', 'sync')
  tool('1.0.0') // the old folder copied back
  await cli('plugins', 'sync')
  assert.deepEqual(await versions(), { tool: '1.1.0' })
  const [refused] = await downgrades()
  assert.equal(refused?.severity, 'error')
  assert.equal(refused?.version, '1.0.0')

  assert.match(await cli('plugins', 'rollback', String(first)), /published generation \d+ with the plugins of generation/)
  await cli('plugins', 'sync') // the same sources: the rollback stands
  assert.deepEqual(await versions(), { tool: '1.0.0' })
  assert.deepEqual(await downgrades(), [])
  writePlugin(plugins, 'other', manifest('other'), { 'index.js': 'export function load() {}' })
  await cli('plugins', 'sync') // a source changed: still no reason to move tool
  assert.deepEqual(await versions(), { other: '1.0.0', tool: '1.0.0' })
  assert.deepEqual(await downgrades(), [])
})
