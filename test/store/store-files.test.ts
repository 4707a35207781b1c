import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import Database from 'better-sqlite3'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

test('a file that is not our store is refused with exit 4 and left untouched', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  writeFileSync(join(data, 'plugins.db'), 'this is a text file, not a database, and it is long enough to have a header')
  const before = readFileSync(join(data, 'plugins.db'))
  const r = await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], { cwd: root })
  assert.equal(r.code, 4)
  assert.match(r.stderr, /plugins\.db is not an SQLite database.*left untouched/)
  assert.deepEqual(readFileSync(join(data, 'plugins.db')), before)

  // Another application's SQLite database: refused by application_id.
  const other = join(root, 'other')
  mkdirSync(other)
  const db = new Database(join(other, 'plugins.db'))
  db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY); INSERT INTO customers VALUES (1)')
  db.close()
  const r2 = await runCli(['plugins', 'sync', '--data-dir', other], { cwd: root })
  assert.equal(r2.code, 4)
  assert.match(r2.stderr, /is not an app plugin store \(application_id 0/)
  const check = new Database(join(other, 'plugins.db'), { readonly: true })
  assert.deepEqual(check.prepare('SELECT id FROM customers').all(), [{ id: 1 }])
  check.close()
})

test('a store from a newer app is refused with exit 4', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  assert.equal((await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], { cwd: root })).code, 0)
  const db = new Database(join(data, 'plugins.db'))
  db.pragma('user_version = 999')
  db.close()
  const r = await runCli(['plugins', 'list', '--data-dir', data], { cwd: root })
  assert.equal(r.code, 4)
  assert.match(r.stderr, /schema version 999, newer than this build/)
})

test('reading commands on a missing store exit 4 and say how to create it', async (t) => {
  const root = tempDir(t)
  const r = await runCli(['plugins', 'list', '--data-dir', join(root, 'nowhere')], { cwd: root })
  assert.equal(r.code, 4)
  assert.match(r.stderr, /does not exist.*Start the scheduler/)
})

test('a worker waits for the store, then exits 4 after store.waitMs', async (t) => {
  const root = tempDir(t)
  const worker = startCli(['--role=worker', '--data-dir', join(root, 'data')], { cwd: root, env: { APP_STORE_WAIT_MS: '1500' } })
  await worker.waitFor(/waiting for the scheduler to create the plugin store/)
  assert.equal(await worker.exited, 4)
  assert.match(worker.output(), /waited 1500 ms/)
})

test('worker and web hold plugins.db read-only: SQLite itself refuses writes', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  writePlugin(join(root, 'plugins'), 'alpha', manifest('alpha'), { 'index.js': 'export function load() {}' })
  assert.equal((await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], { cwd: root })).code, 0)
  const store = await openReadonlyStore(data)
  t.onTestFinished(async () => {
    await store.close()
  })
  assert.equal(store.readonly, true)
  assert.throws(() => store.sqlite.prepare("INSERT INTO generations (created_at, reason) VALUES ('now', 'sneaky')").run(), {
    code: 'SQLITE_READONLY',
  })
  assert.throws(() => store.sqlite.exec('DELETE FROM blobs'), { code: 'SQLITE_READONLY' })
  assert.equal((await store.currentGeneration())!.plugins[0]!.name, 'alpha')

  // The worker role process opens it the same way and starts against it.
  const worker = startCli(['--role=worker', '--data-dir', data], { cwd: root })
  await worker.waitFor(/worker started/)
  assert.equal(await worker.stop(), 0)
})

test('SIGTERM while a worker waits for the store exits 0 at once', async (t) => {
  const root = tempDir(t)
  const worker = startCli(['--role=worker', '--data-dir', join(root, 'data')], { cwd: root, env: { APP_STORE_WAIT_MS: '120000' } })
  await worker.waitFor(/waiting for the scheduler to create the plugin store/)
  assert.equal(await worker.stop('SIGTERM'), 0)
  assert.match(worker.output(), /shutting down/)
})
