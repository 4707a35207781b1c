// One contract, one shared test suite (unstorage's testDriver pattern): every plugin
// source (directory, HTTP, S3) runs these same tests through its own harness.
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { createTrust, NO_TRUST, type Trust } from '../../src/signing/create-trust.ts'
import { rawPublicKey } from '../../src/signing/signing-keys.ts'
import type { PluginSource, ScanResult } from '../../src/sources/source-types.ts'
import { openWritableStore, type WritableStore } from '../../src/store/open-store.ts'
import { tempDir } from '../helpers/cli.ts'
import { pluginFiles, rawTgz, tgzOf, withSignature, zipFiles } from './archive-fixtures.ts'

export interface SourceHarness {
  /** Makes an archive available in the source under this file name. */
  add(name: string, data: Buffer): Promise<void>
  remove(name: string): Promise<void>
  /** A source over the same place (a new object, as after a restart). */
  source(trust: Trust): PluginSource
}

/** The store a scan reads its saved state from, as the scheduler does. */
async function scanWith(source: PluginSource, store: WritableStore): Promise<ScanResult> {
  return source.scan({ state: await store.sourceState(source.key), store })
}

/** Runs the extraction temp folders inside a folder the test owns, so it can see they are removed and nothing escapes. */
function privateTmp(t: TestContext): string {
  const dir = tempDir(t, 'app-contract-tmp-')
  const before = process.env.TMPDIR
  process.env.TMPDIR = dir
  t.onTestFinished(() => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
  })
  return dir
}

export function sourceContract(kind: string, setup: (t: TestContext) => Promise<SourceHarness>): void {
  const open = async (t: TestContext) => {
    const store = await openWritableStore(join(tempDir(t), 'data'))
    t.onTestFinished(async () => {
      await store.close()
    })
    return store
  }

  test(`${kind} source: a .tgz holding one plugin in a top folder is read as that plugin`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    await h.add('hello-1.0.0.tgz', tgzOf(pluginFiles('hello', '1.0.0'), 'package/'))
    const result = await scanWith(h.source(NO_TRUST), store)
    assert.equal(result.reachable, true)
    assert.equal(result.candidates.length, 1)
    const c = result.candidates[0]!
    assert.equal(c.check.name, 'hello')
    assert.equal(c.check.version, '1.0.0')
    assert.equal(c.source, kind)
    assert.match(c.origin, /hello-1\.0\.0\.tgz$/)
    assert.deepEqual(
      c.bundle.files.map((f) => f.path),
      ['index.js', 'plugin.json'],
    )
    assert.deepEqual([...c.bundle.warnings, ...c.check.warnings, ...c.warnings], [])
  })

  test(`${kind} source: a .zip holding a directory of plugins gives one plugin per folder`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    const files = {
      ...prefixed('alpha/', pluginFiles('alpha')),
      ...prefixed('beta/', pluginFiles('beta', '2.0.0')),
      'docs/README.md': Buffer.from('not a plugin'),
    }
    await h.add('bundle.zip', await zipFiles(files))
    const result = await scanWith(h.source(NO_TRUST), store)
    assert.deepEqual(result.candidates.map((c) => `${c.check.name}@${c.check.version}`).sort(), ['alpha@1.0.0', 'beta@2.0.0'])
    assert.ok(
      result.notices.some((n) => n.code === 'NOT_A_PLUGIN' && n.message.includes('docs/')),
      'the folder without plugin.json is reported',
    )
  })

  test(`${kind} source: sync publishes its plugins, a repeat sync publishes nothing, a removed archive removes its plugin`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    await h.add('one-1.0.0.tgz', tgzOf(pluginFiles('one')))
    await h.add('two-1.0.0.zip', await zipFiles(pluginFiles('two')))
    const first = await syncPlugins({ store, sources: [h.source(NO_TRUST)] })
    assert.equal(first.changed, true)
    const gen = await store.currentGeneration()
    assert.deepEqual(
      gen!.plugins.map((p) => [p.name, p.status, p.source]),
      [
        ['one', 'ok', kind],
        ['two', 'ok', kind],
      ],
    )
    const again = await syncPlugins({ store, sources: [h.source(NO_TRUST)] })
    assert.equal(again.generation, first.generation, 'nothing changed, so no new generation')
    await h.remove('two-1.0.0.zip')
    await syncPlugins({ store, sources: [h.source(NO_TRUST)] })
    assert.deepEqual(
      (await store.currentGeneration())!.plugins.map((p) => p.name),
      ['one'],
    )
  })

  test(`${kind} source: an archive with a ".." entry is refused naming the entry; nothing escapes and the last good version stays`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    const tmp = privateTmp(t)
    await h.add('evil-1.0.0.tgz', tgzOf(pluginFiles('evil')))
    await syncPlugins({ store, sources: [h.source(NO_TRUST)] })
    const good = (await store.currentGeneration())!.plugins[0]!
    const blobs = countBlobs(store)
    await h.add(
      'evil-1.0.0.tgz',
      rawTgz([
        { path: 'plugin.json', data: pluginFiles('evil', '1.0.1')['plugin.json'] },
        { path: 'index.js', data: Buffer.from('export function load() {}') },
        { path: '../escaped.js', data: Buffer.from('owned') },
      ]),
    )
    await syncPlugins({ store, sources: [h.source(NO_TRUST)] })
    const entry = (await store.currentGeneration())!.plugins.find((p) => p.name === 'evil')!
    assert.equal(entry.id, good.id, 'the last good version is still published')
    const reason = entry.rejected!.warnings.find((w) => w.code === 'BUNDLE_UNSAFE')!
    assert.match(reason.message, /"\.\.\/escaped\.js"/)
    assert.equal(countBlobs(store), blobs, 'no content of the refused archive reached the store')
    assert.deepEqual(readdirSync(tmp), [], 'the private temp folders are gone and nothing was written beside them')
  })

  test(`${kind} source: a signed plugin is valid with its key id; a changed file makes it SIGNATURE_INVALID and it is not loaded`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const trust = createTrust({ publicKeys: [rawPublicKey(publicKey).toString('base64')], requireSignature: false })
    const signed = withSignature(pluginFiles('sig'), privateKey)
    await h.add('sig-1.0.0.tgz', tgzOf(signed))
    await syncPlugins({ store, sources: [h.source(trust)] })
    const good = (await store.currentGeneration())!.plugins[0]!
    assert.equal(good.signature?.state, 'valid')
    assert.match(good.signature?.keyId ?? '', /^[0-9a-f]{16}$/)
    assert.equal(good.status, 'ok')
    await h.add('sig-1.0.0.tgz', tgzOf({ ...signed, 'index.js': Buffer.from('export function load() { globalThis.owned = true }') }))
    await syncPlugins({ store, sources: [h.source(trust)] })
    const entry = (await store.currentGeneration())!.plugins[0]!
    assert.equal(entry.id, good.id, 'the tampered version replaced nothing')
    assert.equal(entry.rejected?.signature?.state, 'invalid')
    assert.match(entry.rejected!.warnings.find((w) => w.code === 'SIGNATURE_INVALID')!.message, /changed index\.js/)
  })

  test(`${kind} source: a signed TypeScript plugin (npm pack shape) is compiled once at publish; a rescan knows it by its sources, its signature still valid`, async (t) => {
    const h = await setup(t)
    const store = await open(t)
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const trust = createTrust({ publicKeys: [rawPublicKey(publicKey).toString('base64')], requireSignature: true })
    const files = withSignature(
      Object.fromEntries(
        Object.entries({
          'package.json': JSON.stringify({ name: 'typed', version: '1.2.0', main: 'index.ts', appPlugin: { apiVersion: 1 } }),
          'index.ts': `import { label } from './lib/label.ts'\nexport function load(): string { return label }\n`,
          'lib/label.ts': `export const label: string = 'typed'\n`,
        }).map(([k, v]) => [k, Buffer.from(v)]),
      ),
      privateKey,
    )
    await h.add('typed-1.2.0.tgz', tgzOf(files, 'package/'))
    const first = await syncPlugins({ store, sources: [h.source(trust)] })
    const entry = (await store.currentGeneration())!.plugins[0]!
    assert.deepEqual(
      [entry.name, entry.version, entry.status, entry.signature?.state],
      ['typed', '1.2.0', 'ok', 'valid'],
      JSON.stringify(entry.warnings),
    )
    assert.ok(
      (await store.bundle(entry.bundleSha256))!.files.some((f) => f.path === '.app-build/lib/label.ts.js'),
      'the compiled output is stored with the sources',
    )

    const rescan = await scanWith(h.source(trust), store)
    assert.deepEqual(
      rescan.candidates.map((c) => [c.check.name, c.signature?.state, c.bundle.sha256]),
      [['typed', 'valid', entry.sourceSha256]],
    )
    const again = await syncPlugins({ store, sources: [h.source(trust)] })
    assert.equal(again.generation, first.generation, 'nothing changed, so no new generation')
    assert.equal((await store.currentGeneration())!.plugins[0]!.id, entry.id)
  })
}

function prefixed(prefix: string, files: Record<string, Buffer>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [prefix + k, v]))
}

function countBlobs(store: WritableStore): number {
  return (store.sqlite.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n
}

/** A folder for the directory source's harness. */
export function plugDir(t: TestContext): string {
  const dir = join(tempDir(t), 'plugins')
  mkdirSync(dir, { recursive: true })
  return dir
}
