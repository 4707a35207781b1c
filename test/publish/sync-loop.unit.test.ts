// The scheduler's publish loop, in-process on a real store and a real plugins folder, with no watcher: what a
// watcher can miss (files copied into a folder it has only just seen) is still published, because a pass that saw
// a change under a second old looks again once it is a second old; and times a copy or an archive put in the
// future never hold a plugin back.
import assert from 'node:assert/strict'
import { mkdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { createLogger } from '../../src/log/create-logger.ts'
import { createSyncLoop } from '../../src/publish/create-sync-loop.ts'
import { createDirectorySource } from '../../src/sources/directory-source.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { manifest, tempDir, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }

async function loopOn(t: Parameters<typeof tempDir>[0], settleMs: number) {
  const root = tempDir(t)
  const plugins = join(root, 'plugins')
  mkdirSync(plugins)
  const store = await openWritableStore(join(root, 'data'))
  const source = createDirectorySource(plugins, { limits, settleMs })
  let scans = 0
  // The source's scan only: nothing calls watch(), so every pass after the first is the loop's own.
  const counted = {
    ...source,
    watch: undefined,
    scan(...a: Parameters<typeof source.scan>) {
      scans++
      return source.scan(...a)
    },
  }
  const loop = createSyncLoop({ store, sources: [counted], reason: 'scan', logger: createLogger({ level: 'silent' }) })
  t.onTestFinished(async () => {
    await loop.stop()
    await store.close()
  })
  const published = async (name: string) => (await store.currentGeneration())?.plugins.find((p) => p.name === name) ?? null
  return { plugins, loop, published, scans: () => scans }
}

test('a plugin copied into a folder the last scan saw empty is published without another watcher event, and the loop then goes quiet', async (t) => {
  const l = await loopOn(t, 0)
  mkdirSync(join(l.plugins, 'late')) // `cp -r`: the folder first, its files after the scan that saw it
  await l.loop.runNow()
  assert.equal(await l.published('late'), null)
  writePlugin(l.plugins, 'late', manifest('late'), { 'index.js': 'export function load() {}\n' })
  const late = await waitUntil('late to be published', () => l.published('late'), 10_000)
  assert.equal(late.status, 'ok')
  // Once nothing has changed for a second, no more passes: an idle plugins folder costs nothing.
  await new Promise((r) => setTimeout(r, 1500))
  const scans = l.scans()
  await new Promise((r) => setTimeout(r, 2000))
  assert.equal(l.scans(), scans, 'no pass while the folder is idle')
})

test('files whose modification times are in the future (an archive made on a machine whose clock runs ahead) are published at once', async (t) => {
  const l = await loopOn(t, 500)
  writePlugin(l.plugins, 'ahead', manifest('ahead'), { 'index.js': 'export function load() {}\n' })
  const year2100 = new Date('2100-01-01T00:00:00Z')
  for (const f of ['plugin.json', 'index.js', '.']) utimesSync(join(l.plugins, 'ahead', f), year2100, year2100)
  await l.loop.runNow()
  // Settling waits for the copy to be quiet (500 ms here), never for the mtimes' year 2100.
  const ahead = await waitUntil('ahead to be published', () => l.published('ahead'), 10_000)
  assert.equal(ahead.status, 'ok')
})
