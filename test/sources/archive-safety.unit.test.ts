// Every refusal of the archive reader, with hostile archives built here: each must name the
// entry, leave nothing outside the private temp folder (which is removed) and leave the store's
// content and the last good version as they were.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import type { ArchiveLimits } from '../../src/archive/archive-limits.ts'
import type { TarEntry } from '../../src/archive/write-tgz.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { createArchiveHandler } from '../../src/sources/archive-handler.ts'
import { createDirectorySource } from '../../src/sources/directory-source.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { tempDir } from '../helpers/cli.ts'
import { pluginFiles, rawTgz, tgzOf, zipFiles, zipOf, type ZipEntry } from './archive-fixtures.ts'

const base: ArchiveLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxFiles: 10_000,
  maxDepth: 32,
  archiveMaxBytes: 500 * 1024 * 1024,
  archiveMaxFiles: 100_000,
  maxCompressionRatio: 100,
}
const plugin = pluginFiles('evil', '2.0.0')
const start: TarEntry[] = [
  { path: 'plugin.json', data: plugin['plugin.json'] },
  { path: 'index.js', data: plugin['index.js'] },
]
const zipStart: ZipEntry[] = [
  { path: 'plugin.json', data: plugin['plugin.json'] },
  { path: 'index.js', data: plugin['index.js'] },
]

interface Case {
  name: string
  code: 'BUNDLE_UNSAFE' | 'BUNDLE_TOO_LARGE'
  /** What the message must say, including the entry name. */
  says: RegExp
  limits?: Partial<ArchiveLimits>
  build(outside: string): Buffer | Promise<Buffer>
}

const tgzCases: Case[] = [
  {
    name: 'a ".." entry',
    code: 'BUNDLE_UNSAFE',
    says: /entry "\.\.\/escaped\.js" contains "\.\."/,
    build: () => rawTgz([...start, { path: '../escaped.js', data: Buffer.from('owned') }]),
  },
  {
    name: 'a ".." inside a path',
    code: 'BUNDLE_UNSAFE',
    says: /entry "package\/\.\.\/\.\.\/escaped\.js" contains "\.\."/,
    build: () => rawTgz([...start, { path: 'package/../../escaped.js', data: Buffer.from('owned') }]),
  },
  {
    name: 'an absolute path',
    code: 'BUNDLE_UNSAFE',
    says: /entry ".*\/absolute\.js" is an absolute path/,
    build: (outside) => rawTgz([...start, { path: join(outside, 'absolute.js'), data: Buffer.from('owned') }]),
  },
  {
    name: 'a symbolic link',
    code: 'BUNDLE_UNSAFE',
    says: /entry "passwd\.js" is a symbolic link \(to "\/etc\/passwd"\)/,
    build: () => rawTgz([...start, { path: 'passwd.js', type: 'SymbolicLink', linkpath: '/etc/passwd' }]),
  },
  {
    name: 'a link to a folder and a file written through it',
    code: 'BUNDLE_UNSAFE',
    says: /entry "lib" is a symbolic link/,
    build: (outside) =>
      rawTgz([...start, { path: 'lib', type: 'SymbolicLink', linkpath: outside }, { path: 'lib/through.js', data: Buffer.from('owned') }]),
  },
  {
    name: 'a hard link',
    code: 'BUNDLE_UNSAFE',
    says: /entry "hard\.js" is a hard link \(to "\/etc\/passwd"\)/,
    build: () => rawTgz([...start, { path: 'hard.js', type: 'Link', linkpath: '/etc/passwd' }]),
  },
  {
    name: 'a character device',
    code: 'BUNDLE_UNSAFE',
    says: /entry "null\.js" is a character device/,
    build: () => rawTgz([...start, { path: 'null.js', type: 'CharacterDevice' }]),
  },
  {
    name: 'a FIFO',
    code: 'BUNDLE_UNSAFE',
    says: /entry "pipe\.js" is a FIFO/,
    build: () => rawTgz([...start, { path: 'pipe.js', type: 'FIFO' }]),
  },
  {
    name: 'a duplicate entry',
    code: 'BUNDLE_UNSAFE',
    says: /entry "index\.js" appears twice/,
    build: () => rawTgz([...start, { path: 'index.js', data: Buffer.from('export function load() { globalThis.x = 1 }') }]),
  },
  {
    name: 'names that differ only by case',
    code: 'BUNDLE_UNSAFE',
    says: /entry "util\.js" collides with "Util\.js"/,
    build: () => rawTgz([...start, { path: 'Util.js', data: Buffer.from('a') }, { path: 'util.js', data: Buffer.from('b') }]),
  },
  {
    name: 'names that differ only by Unicode normalization',
    code: 'BUNDLE_UNSAFE',
    says: /entry "cafe\u0301\.js" collides with "caf\u00e9\.js"/,
    build: () => rawTgz([...start, { path: 'caf\u00e9.js', data: Buffer.from('a') }, { path: 'cafe\u0301.js', data: Buffer.from('b') }]),
  },
  {
    name: 'a control character',
    code: 'BUNDLE_UNSAFE',
    says: /entry "bell\\u0007\.js" contains a control character/,
    build: () => rawTgz([...start, { path: 'bell\u0007.js', data: Buffer.from('a') }]),
  },
  {
    name: 'more files than the limit',
    code: 'BUNDLE_TOO_LARGE',
    says: /more than 20 files \(limits\.archiveMaxFiles\) at entry "f18\.js"/,
    limits: { archiveMaxFiles: 20 },
    build: () => rawTgz([...start, ...Array.from({ length: 30 }, (_, i) => ({ path: `f${i}.js`, data: Buffer.from(String(i)) }))]),
  },
  {
    name: 'more bytes than the limit',
    code: 'BUNDLE_TOO_LARGE',
    says: /more than 100000 bytes unpacked \(limits\.archiveMaxBytes\) at entry "c\.bin"/,
    limits: { archiveMaxBytes: 100_000 },
    build: () => rawTgz([...start, ...['a', 'b', 'c'].map((n) => ({ path: `${n}.bin`, data: randomBytes(40_000) }))]),
  },
  {
    name: 'a file over the plugin size limit',
    code: 'BUNDLE_TOO_LARGE',
    says: /a file of 20000 bytes, over the plugin limit of 10000 \(limits\.maxBytes\) at entry "big\.bin"/,
    limits: { maxBytes: 10_000 },
    build: () => rawTgz([...start, { path: 'big.bin', data: randomBytes(20_000) }]),
  },
  {
    name: 'nesting deeper than the limit',
    code: 'BUNDLE_TOO_LARGE',
    says: /nesting deeper than 6 levels .* at entry "a\/b\/c\/d\/e\/f\/g\.js"/,
    limits: { maxDepth: 4 },
    build: () => rawTgz([...start, { path: 'a/b/c/d/e/f/g.js', data: Buffer.from('deep') }]),
  },
  {
    name: 'a gzip bomb',
    code: 'BUNDLE_TOO_LARGE',
    says: /over 100 times its packed size .*gzip bomb \(reached in entry "zeros\.bin"\)/,
    build: () => rawTgz([...start, { path: 'zeros.bin', data: Buffer.alloc(40 * 1024 * 1024) }]),
  },
]

const zipCases: Case[] = [
  {
    name: 'a ".." entry',
    code: 'BUNDLE_UNSAFE',
    says: /entry "\.\.\/escaped\.js" contains "\.\."/,
    build: () => zipOf([...zipStart, { path: 'xx/escaped.js', data: Buffer.from('owned') }], { 'xx/escaped.js': '../escaped.js' }),
  },
  {
    name: 'an absolute path',
    code: 'BUNDLE_UNSAFE',
    says: /entry "\/tmp\/abs\.js" is an absolute path/,
    build: () => zipOf([...zipStart, { path: 'xtmp/abs.js', data: Buffer.from('owned') }], { 'xtmp/abs.js': '/tmp/abs.js' }),
  },
  {
    name: 'a symbolic link',
    code: 'BUNDLE_UNSAFE',
    says: /entry "passwd\.js" is a symbolic link/,
    build: () => zipOf([...zipStart, { path: 'passwd.js', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
  },
  {
    name: 'a device',
    code: 'BUNDLE_UNSAFE',
    says: /entry "tty\.js" is a character device/,
    build: () => zipOf([...zipStart, { path: 'tty.js', mode: 0o020644 }]),
  },
  {
    name: 'a duplicate entry',
    code: 'BUNDLE_UNSAFE',
    says: /entry "index\.js" appears twice/,
    build: () => zipOf([...zipStart, { path: 'index.js', data: Buffer.from('again') }]),
  },
  {
    name: 'names that differ only by case',
    code: 'BUNDLE_UNSAFE',
    says: /entry "readme\.md" collides with "README\.md"/,
    build: () => zipOf([...zipStart, { path: 'README.md', data: Buffer.from('a') }, { path: 'readme.md', data: Buffer.from('b') }]),
  },
  {
    name: 'a control character',
    code: 'BUNDLE_UNSAFE',
    says: /entry "tab\\t\.js" contains a control character/,
    build: () => zipOf([...zipStart, { path: 'tabX.js', data: Buffer.from('a') }], { 'tabX.js': 'tab\t.js' }),
  },
  {
    name: 'a backslash path',
    code: 'BUNDLE_UNSAFE',
    says: /entry "\.\.\\\\escaped\.js" contains a backslash/,
    build: () => zipOf([...zipStart, { path: 'xx/escaped.js', data: Buffer.from('owned') }], { 'xx/escaped.js': '..\\escaped.js' }),
  },
  {
    name: 'a zip bomb',
    code: 'BUNDLE_TOO_LARGE',
    says: /entry "zeros\.bin" unpacks to \d+ times its packed size.*zip bomb/,
    build: () => zipOf([...zipStart, { path: 'zeros.bin', data: Buffer.alloc(40 * 1024 * 1024) }]),
  },
]

async function refusalCase(t: TestContext, ext: 'tgz' | 'zip', c: Case): Promise<void> {
  const root = tempDir(t)
  const pluginsDir = join(root, 'plugins')
  const outside = join(root, 'outside')
  const tmp = join(root, 'tmp')
  for (const d of [pluginsDir, outside, tmp]) mkdirSync(d)
  const before = process.env.TMPDIR
  process.env.TMPDIR = tmp // the extraction folders are made here, so the test sees all of them
  t.onTestFinished(() => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
  })
  const store = await openWritableStore(join(root, 'data'))
  t.onTestFinished(async () => {
    await store.close()
  })
  const limits = { ...base, ...c.limits }
  const sources = () => [createDirectorySource(pluginsDir, { limits, settleMs: 0, archives: createArchiveHandler({ limits }) })]
  const archive = join(pluginsDir, `evil-2.0.0.${ext}`)

  writeFileSync(archive, ext === 'tgz' ? tgzOf(pluginFiles('evil', '1.0.0')) : await zipFiles(pluginFiles('evil', '1.0.0')))
  await syncPlugins({ store, sources: sources() })
  const good = (await store.currentGeneration())!.plugins[0]!
  assert.equal(good.status, 'ok')
  const blobs = () => (store.sqlite.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n
  const blobsBefore = blobs()

  writeFileSync(archive, await c.build(outside))
  await syncPlugins({ store, sources: sources() })
  const entry = (await store.currentGeneration())!.plugins.find((p) => p.name === 'evil')!
  assert.equal(entry.id, good.id, 'the last good version is still the published one')
  const warning = entry.rejected?.warnings.find((w) => w.code === c.code)
  assert.ok(warning, `expected ${c.code}; found ${JSON.stringify(entry.rejected?.warnings)}`)
  assert.match(warning.message, c.says)
  assert.equal(entry.rejected!.status, 'error')
  assert.equal(blobs(), blobsBefore, 'no file of the refused archive reached the store')
  assert.deepEqual(readdirSync(tmp), [], 'the private temp folder was removed and nothing was written beside it')
  assert.deepEqual(readdirSync(outside), [], 'nothing was written outside')
  assert.deepEqual(readdirSync(pluginsDir), [`evil-2.0.0.${ext}`], 'nothing was written into the plugins folder')
  assert.deepEqual(readdirSync(root).sort(), ['data', 'outside', 'plugins', 'tmp'], 'no "escaped" file beside the folders')
}

for (const c of tgzCases) test(`tgz refused: ${c.name} (${c.code})`, (t) => refusalCase(t, 'tgz', c))
for (const c of zipCases) test(`zip refused: ${c.name} (${c.code})`, (t) => refusalCase(t, 'zip', c))

test('a good archive with the usual shapes is read: ./ prefixes, explicit folders, executable bits, a single top folder', async (t) => {
  const root = tempDir(t)
  const pluginsDir = join(root, 'plugins')
  mkdirSync(pluginsDir)
  writeFileSync(
    join(pluginsDir, 'shapes.tgz'),
    rawTgz([
      { path: './', type: 'Directory' },
      { path: './shapes/', type: 'Directory' },
      { path: './shapes/plugin.json', data: pluginFiles('shapes')['plugin.json'] },
      { path: './shapes/index.js', data: pluginFiles('shapes')['index.js'] },
      { path: './shapes/bin/', type: 'Directory' },
      { path: './shapes/bin/run.sh', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    ]),
  )
  const store = await openWritableStore(join(root, 'data'))
  t.onTestFinished(async () => {
    await store.close()
  })
  await syncPlugins({
    store,
    sources: [createDirectorySource(pluginsDir, { limits: base, settleMs: 0, archives: createArchiveHandler() })],
  })
  const entry = (await store.currentGeneration())!.plugins[0]!
  assert.deepEqual([entry.name, entry.status], ['shapes', 'ok'])
  const bundle = (await store.bundle(entry.bundleSha256))!
  assert.deepEqual(
    bundle.files.map((f) => [f.path, f.mode.toString(8)]),
    [
      ['bin/run.sh', '755'],
      ['index.js', '644'],
      ['plugin.json', '644'],
    ],
  )
})
