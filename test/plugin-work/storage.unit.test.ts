import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'vitest'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { createPluginStorage } from '../../src/storage/plugin-storage.ts'
import { createStorageApi } from '../../src/sdk/create-storage-api.ts'
import { createHostServices } from '../../src/host/create-host-services.ts'
import { tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

function setup(t: Parameters<typeof tempDir>[0], quotaBytes = 1000) {
  const db = openRuntimeDb(join(tempDir(t), 'data'))
  t.onTestFinished(() => {
    db.close()
  })
  const services = createHostServices(db, { storageBytes: quotaBytes })
  return {
    db,
    storage: createPluginStorage(db, { quotaBytes }),
    api: (plugin: string) => createStorageApi(services, plugin, `in plugin "${plugin}"`),
  }
}

describe('plugin storage (runtime.db)', () => {
  test('get, set, delete and list(prefix) keep JSON values per plugin', async (t) => {
    const { api } = setup(t)
    const a = api('plugin-a')
    const b = api('plugin-b')
    await a.set('seq-token', 'abc')
    await a.set('seq-2', { n: 2, list: [1, null, 'x'] })
    await a.set('other', 42)
    await b.set('seq-token', 'not a')
    assert.equal(await a.get('seq-token'), 'abc')
    assert.deepEqual(await a.get('seq-2'), { n: 2, list: [1, null, 'x'] })
    assert.equal(await a.get('missing'), undefined)
    assert.deepEqual(await a.list('seq-'), ['seq-2', 'seq-token'])
    assert.deepEqual(await a.list(), ['other', 'seq-2', 'seq-token'])
    assert.deepEqual(await b.list('seq-'), ['seq-token'], 'each plugin sees only its own keys')
    assert.equal(await a.delete('seq-token'), true)
    assert.equal(await a.delete('seq-token'), false)
    assert.equal(await a.get('seq-token'), undefined)
    assert.equal(await b.get('seq-token'), 'not a')
    await a.set('other', null)
    assert.equal(await a.get('other'), null, 'null is a value; delete() removes')
    await assert.rejects(
      a.set('fn', () => 1),
      /storage\.set\("fn"\): expected a JSON value/,
    )
    await assert.rejects(a.set('', 1), /expected a key that is a non-empty string/)
  })

  test('a value set with ttlMs reads as absent once it expired, and is not listed', async (t) => {
    const { api, storage } = setup(t)
    const a = api('p')
    await a.set('short', 'gone soon', { ttlMs: 150 })
    await a.set('long', 'kept', { ttlMs: 3600e3 })
    assert.equal(await a.get('short'), 'gone soon')
    await waitUntil('the short-lived key to expire', async () => (await a.get('short')) === undefined, 5000, 20)
    assert.deepEqual(await a.list(), ['long'])
    assert.equal(storage.pruneExpired(), 1, 'the scheduler deletes the expired row')
    await assert.rejects(a.set('x', 1, { ttlMs: -5 }), /ttlMs to be a positive number/)
  })

  test('past limits.storageBytes set throws naming the sizes; deleting or expiring keys makes room', async (t) => {
    const { api, storage } = setup(t, 1000)
    const a = api('quota')
    await a.set('big', 'x'.repeat(600)) // 3 + 602 bytes
    await assert.rejects(a.set('more', 'y'.repeat(500)), (e: Error) => {
      assert.match(
        e.message,
        /storage\.set\("more"\) in plugin "quota": over the storage quota: this value needs 506 bytes \(key \+ JSON\), and the plugin already stores 605 bytes, so it would hold 1111 bytes, more than limits\.storageBytes \(1000 bytes\)/,
      )
      assert.match(e.message, /app plugins storage quota/)
      return true
    })
    assert.equal(await a.get('more'), undefined, 'nothing of a refused set is kept')
    assert.equal(storage.entries('quota').bytes, 605)
    // Replacing a key counts its new size only.
    await a.set('big', 'z'.repeat(900))
    assert.equal(storage.entries('quota').bytes, 905)
    await a.delete('big')
    await a.set('more', 'y'.repeat(500))
    // An expired key still on disk does not block a set: expired keys are dropped first.
    await a.set('temp', 'e'.repeat(400), { ttlMs: 50 })
    await waitUntil('the temp key to expire', async () => (await a.get('temp')) === undefined, 5000, 20)
    await a.set('after', 'f'.repeat(400))
    assert.deepEqual(await a.list(), ['after', 'more'])
    assert.equal(api('other-plugin') && (await api('other-plugin').set('k', 'x'.repeat(900))), undefined, 'the quota is per plugin')
    assert.equal(storage.clear('quota'), 2)
    assert.equal(storage.entries('quota').bytes, 0)
  })
})
