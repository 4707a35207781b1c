// A publish that fails halfway through its transaction (here: a version whose file content is missing,
// after megabytes of other files were written) is rolled back, and its frames do not stay in the WAL:
// the space comes back at once, and the previous generation is intact.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { openWritableStore } from '../../src/store/open-store.ts'
import { tempDir } from '../helpers/cli.ts'
import { newVersion } from './store-test-versions.ts'

const walBytes = (data: string) => {
  try {
    return statSync(join(data, 'plugins.db-wal')).size
  } catch {
    return 0
  }
}

test('a publish that fails mid-transaction truncates the WAL; the previous generation stays intact', async (t) => {
  const data = tempDir(t)
  const store = await openWritableStore(data)
  t.onTestFinished(() => store.close())
  const first = await store.publish({
    reason: 'test',
    entries: [{ name: 'small', version: newVersion('small', '1.0.0', { 'index.js': 'export function load() {}' }) }],
    notices: [],
  })
  assert.equal(first.generation, 1)
  assert.ok(await store.truncateWal())

  // 24 MiB of new files: more than SQLite's page cache holds (16 MB), so the transaction spills into the WAL before it fails.
  const big = newVersion(
    'big',
    '1.0.0',
    Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`part${i}.bin`, randomBytes(1024 * 1024)])),
  )
  const broken = newVersion('broken', '1.0.0', { 'index.js': 'export function load() { return 2 }' })
  broken.blobs.clear() // its content is neither in the plan nor in the store: the publish throws after writing "big"
  await assert.rejects(
    store.publish({
      reason: 'test',
      entries: [
        { name: 'small', version: 1 },
        { name: 'big', version: big },
        { name: 'broken', version: broken },
      ],
      notices: [],
    }),
    /neither in the plan nor in the store/,
  )

  assert.equal(walBytes(data), 0, 'the rolled-back frames left the WAL')
  assert.equal(await store.currentGenerationId(), 1)
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['small'],
  )
  assert.equal(store.sqlite.pragma('integrity_check', { simple: true }), 'ok')
  // And the store still takes the next publish.
  const next = await store.publish({
    reason: 'test',
    entries: [
      { name: 'small', version: 1 },
      { name: 'big', version: big },
    ],
    notices: [],
  })
  assert.equal(next.generation, 2)
})
