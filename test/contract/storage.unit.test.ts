// The SDK's `storage` (PluginStoragePort) on both backends: the same values, expiry, quota refusals and
// listing order, whichever database holds them. On PostgreSQL plugins write as the worker's and web's
// database roles and the scheduler prunes, as in production.
import assert from 'node:assert/strict'
import { describe, test } from 'vitest'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import type { PluginStoragePort } from '../../src/storage/plugin-storage-port.ts'
import { createSqlitePluginStorage } from '../../src/storage/plugin-storage.ts'
import { createPostgresPluginStorage } from '../../src/storage/postgres-plugin-storage.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

function storageOf(b: RuntimeBackend, role: DbRoleName, quotaBytes = 1000): PluginStoragePort {
  return b.kind === 'sqlite' ? createSqlitePluginStorage(b.db, { quotaBytes }) : createPostgresPluginStorage(b.pools[role], { quotaBytes })
}

/** A second writer on its own connection: another runtime.db handle, or the web role's pool. */
function otherConnection(b: RuntimeBackend, quotaBytes: number): PluginStoragePort {
  return b.kind === 'sqlite'
    ? createSqlitePluginStorage(b.open(), { quotaBytes })
    : createPostgresPluginStorage(b.pools.web, { quotaBytes })
}

const quotaError = (needs: number, stores: number, holds: number, quota: number) =>
  new RegExp(
    `over the storage quota: this value needs ${needs} bytes \\(key \\+ JSON\\), and the plugin already stores ${stores} bytes.*so it would hold ${holds} bytes, more than limits\\.storageBytes \\(${quota} bytes\\)`,
  )

describe.each(BACKENDS)('plugin storage on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('set, get, delete and list(prefix) keep JSON values per plugin, visible to every role', async (t) => {
    const b = await open(t)
    const worker = storageOf(b, 'worker')
    const web = storageOf(b, 'web')
    for (const key of ['seq-token', 'seq-2', 'seq-Z', 'seq-é', 'seq2', 'Seq-x', 'a_b', 'axb', 'a%c']) await worker.set('p', key, key.length)
    await worker.set('p', 'obj', { n: 2, list: [1, null, 'x'], s: "quote ' and \\ and 😀" })
    await worker.set('q', 'seq-token', 'not p')
    assert.deepEqual(await web.get('p', 'obj'), { n: 2, list: [1, null, 'x'], s: "quote ' and \\ and 😀" })
    assert.equal(await web.get('p', 'missing'), undefined)
    assert.deepEqual(await web.list('p', 'seq-'), ['seq-2', 'seq-Z', 'seq-token', 'seq-é'], 'by code point, case-sensitive')
    assert.deepEqual(await web.list('p', 'a_'), ['a_b'], '_ and % in a prefix are plain characters')
    assert.deepEqual(await web.list('p', 'a%'), ['a%c'])
    assert.deepEqual(await web.list('q'), ['seq-token'], 'each plugin sees only its own keys')
    assert.equal((await web.list('p')).length, 10)
    assert.equal(await worker.delete('p', 'seq-token'), true)
    assert.equal(await worker.delete('p', 'seq-token'), false)
    assert.equal(await web.get('p', 'seq-token'), undefined)
    assert.equal(await web.get('q', 'seq-token'), 'not p')
    await worker.set('p', 'obj', null)
    assert.equal(await web.get('p', 'obj'), null, 'null is a value; delete() removes')
    await assert.rejects(
      worker.set('p', 'fn', () => 1),
      /storage\.set\("fn"\): expected a JSON value/,
    )
    await assert.rejects(worker.set('p', '', 1), /expected a key that is a non-empty string/)
    await assert.rejects(
      worker.set('p', 'k', 1, { ttlMs: -5 }),
      /expected options\.ttlMs to be a positive number of milliseconds; found -5/,
    )
    await assert.rejects(worker.list('p', 7 as never), /expected a string prefix/)
  })

  test('a value with ttlMs reads as absent once expired, is not listed, and the scheduler prunes it', async (t) => {
    const b = await open(t)
    const worker = storageOf(b, 'worker')
    await worker.set('p', 'short', 'gone soon', { ttlMs: 1500 })
    await worker.set('p', 'short-2', 'gone soon too', { ttlMs: 1500 })
    await worker.set('p', 'long', 'kept', { ttlMs: 3600e3 })
    assert.equal(await worker.get('p', 'short'), 'gone soon')
    // Both expire (the second was set a moment after the first): each reads as absent.
    await waitUntil(
      'the short-lived keys to expire',
      async () => (await worker.get('p', 'short')) === undefined && (await worker.get('p', 'short-2')) === undefined,
      5000,
      20,
    )
    assert.deepEqual(await worker.list('p'), ['long'])
    const { entries } = await worker.entries('p')
    assert.deepEqual(
      entries.map((e) => e.key),
      ['long'],
    )
    assert.ok(Date.parse(entries[0]!.expiresAt!) > Date.now() + 3000e3, 'the expiry shows as an ISO time')
    assert.equal(await worker.delete('p', 'short'), false, 'an expired key was not there to delete')
    assert.equal(await storageOf(b, 'scheduler').pruneExpired(), 1, 'the prune pass deletes the other expired key')
    assert.deepEqual(await worker.list('p'), ['long'])
  })

  test('a set past limits.storageBytes is refused naming the sizes, and changes nothing', async (t) => {
    const b = await open(t)
    const worker = storageOf(b, 'worker', 100)
    await worker.set('p', 'a', 'x'.repeat(57)) // 1 + 59 = 60 bytes
    await assert.rejects(worker.set('p', 'b', 'y'.repeat(57)), quotaError(60, 60, 120, 100))
    await assert.rejects(worker.set('p', 'a', 'x'.repeat(120)), /\(60 of them in this key now\), so it would hold 123 bytes/)
    assert.equal(await worker.get('p', 'a'), 'x'.repeat(57), 'the refused value left the stored one as it was')
    assert.equal(await worker.get('p', 'b'), undefined)
    assert.equal((await worker.entries('p')).bytes, 60)
    await worker.set('p', 'a', 'x'.repeat(97)) // replacing a key counts its new size only: exactly 100 bytes fits
    assert.equal((await worker.entries('p')).bytes, 100)
    await worker.set('other', 'b', 'y'.repeat(57)) // the quota is per plugin
    await worker.set('p', 'a', 'small', { ttlMs: 100 })
    await worker.set('p', 'filler', 'z'.repeat(80), { ttlMs: 100 })
    await new Promise((r) => setTimeout(r, 150))
    await worker.set('p', 'b', 'y'.repeat(90)) // expired keys still counted; the set drops them and fits
    assert.deepEqual(await worker.list('p'), ['b'])
  })

  test('writers on two connections near the quota never hold more than it together', async (t) => {
    const b = await open(t)
    const quota = 1000
    const writers = [storageOf(b, 'worker', quota), otherConnection(b, quota)]
    const value = 'v'.repeat(298) // key "k0" + JSON: 2 + 300 = 302 bytes: three fit, a fourth does not
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => writers[i % 2]!.set('p', `k${i}`, value)))
    const refused = results.filter((r) => r.status === 'rejected')
    assert.equal(results.length - refused.length, 3, 'exactly three writes fit')
    for (const r of refused) assert.match(String((r as PromiseRejectedResult).reason), /over the storage quota/)
    const { bytes, entries } = await writers[0]!.entries('p')
    assert.equal(entries.length, 3)
    assert.equal(bytes, 906)
  })

  test("entries show sizes and values; clear removes one plugin's keys and frees its quota", async (t) => {
    const b = await open(t)
    const worker = storageOf(b, 'worker', 100)
    await worker.set('p', 'b', [1, 2])
    await worker.set('p', 'a', { x: 'y' })
    await worker.set('q', 'a', 1)
    const shown = await worker.entries('p')
    assert.deepEqual(
      shown.entries.map((e) => ({ key: e.key, bytes: e.bytes, value: e.value, expiresAt: e.expiresAt })),
      [
        { key: 'a', bytes: 10, value: { x: 'y' }, expiresAt: null },
        { key: 'b', bytes: 6, value: [1, 2], expiresAt: null },
      ],
    )
    assert.equal(shown.bytes, 16)
    assert.ok(Math.abs(Date.parse(shown.entries[0]!.updatedAt) - Date.now()) < 60_000)
    assert.equal(await worker.clear('p'), 2)
    assert.deepEqual(await worker.list('p'), [])
    assert.deepEqual(await worker.list('q'), ['a'])
    await worker.set('p', 'big', 'x'.repeat(90)) // the freed bytes count again
  })
})
