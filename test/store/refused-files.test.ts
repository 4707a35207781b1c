import assert from 'node:assert/strict'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import Database from 'better-sqlite3'
import { manifest, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'

/** Another application's SQLite file, in its own (rollback journal) mode, as it would sit in a wrong --data-dir. */
function foreignDatabase(file: string, sql: string): Buffer {
  const db = new Database(file)
  db.exec(sql)
  db.close()
  return readFileSync(file)
}

async function publishedStore(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t)
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  for (const name of ['alpha', 'beta', 'gamma']) writePlugin(plugins, name, manifest(name), { 'index.js': 'export function load() {}' })
  const sync = await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], { cwd: root, env: { APP_SETTLE_MS: '0' } })
  assert.equal(sync.code, 0, sync.stderr)
  return { root, data, plugins, store: join(data, 'plugins.db') }
}

test('a runtime.db of another application is refused with exit 4 and left byte-identical, by commands and roles alike', async (t) => {
  const root = tempDir(t)
  for (const [label, sql] of [
    [
      'no application_id, its own tables',
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'ada')",
    ],
    ['its own jobs table', "CREATE TABLE jobs (id INTEGER PRIMARY KEY, cron TEXT); INSERT INTO jobs VALUES (1, '@daily')"],
  ] as const) {
    const data = join(root, label.replace(/\W+/g, '-'))
    mkdirSync(data)
    const file = join(data, 'runtime.db')
    const before = foreignDatabase(file, sql)

    const list = await runCli(['events', 'list', '--data-dir', data], { cwd: root })
    assert.equal(list.code, 4, `${label}: ${list.stderr}`)
    assert.match(
      list.stderr,
      /runtime\.db is not an app runtime database \(application_id 0, expected \d+; it holds 1 table\(s\) or index\(es\) of another application \((customers|jobs)\)\)\. It was left untouched/,
    )
    const scheduler = await runCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], { cwd: root })
    assert.equal(scheduler.code, 4, `${label}: ${scheduler.stderr}`)
    assert.deepEqual(readFileSync(file), before, `${label}: byte-identical`)

    // And doctor does not call it ours.
    const doctor = await runCli(['doctor', '--data-dir', data], { cwd: root })
    assert.equal(doctor.code, 1)
    assert.match(doctor.stdout + doctor.stderr, /runtime\.db .*application_id 0x0, expected/)
  }
})

test('a zero-length runtime.db is ours to initialize', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  writeFileSync(join(data, 'runtime.db'), '')
  const r = await runCli(['events', 'list', '--data-dir', data], { cwd: root })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /no events/)
})

test('a plugins.db of another application is left byte-identical, not switched to WAL', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  const file = join(data, 'plugins.db')
  const before = foreignDatabase(file, 'CREATE TABLE customers (id INTEGER PRIMARY KEY); INSERT INTO customers VALUES (1)')
  const r = await runCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], { cwd: root })
  assert.equal(r.code, 4)
  assert.deepEqual(readFileSync(file), before)
  assert.match(
    r.stderr,
    /plugins\.db is not an app plugin store \(application_id 0, expected \d+; it holds 1 table\(s\) or index\(es\) of another application \(customers\)\)/,
  )
})

test('a damaged page in plugins.db is found when a role starts: exit 4 with the restore steps, the file left as it is', async (t) => {
  const { root, data, plugins, store } = await publishedStore(t)
  // Overwrite the root page of a table no role reads while starting: only a check of the whole file finds it.
  const db = new Database(store, { readonly: true })
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const page = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'ingest_warnings'").pluck().get() as number
  db.close()
  const fd = openSync(store, 'r+')
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize)
  closeSync(fd)
  const before = readFileSync(store)

  const worker = startCli(['--role=worker', '--data-dir', data], { cwd: root })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
  })
  const outcome = await Promise.race([worker.exited, worker.waitFor(/"msg":"worker started"/, 60_000).then(() => 'started')])
  assert.equal(outcome, 4, worker.output())
  assert.match(
    worker.output(),
    /plugin store \S+plugins\.db is damaged \(PRAGMA quick_check found .*\)\. It was left as it is\. Stop every role .*restore plugins\.db from the last `app backup` copy.*"Backup and restore" in packaging\/README\.md/,
  )

  const scheduler = await runCli(['--role=scheduler', '--data-dir', data, '--plugins-dir', plugins], { cwd: root })
  assert.equal(scheduler.code, 4, scheduler.stderr)
  assert.match(scheduler.stderr, /plugins\.db is damaged \(PRAGMA quick_check/)
  assert.deepEqual(readFileSync(store), before)
})

test('a zero-length plugins.db is reported as empty, with the fix, not as missing; the scheduler initializes it', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  mkdirSync(data)
  writeFileSync(join(data, 'plugins.db'), '')
  const list = await runCli(['plugins', 'list', '--data-dir', data], { cwd: root })
  assert.equal(list.code, 4)
  assert.match(
    list.stderr,
    /plugins\.db exists but is empty \(0 bytes\): no scheduler has initialized it .*Start the scheduler \(app --role=scheduler\) or run `app plugins sync`.*restore plugins\.db from the last `app backup` copy/,
  )
  assert.doesNotMatch(list.stderr, /does not exist/)

  const worker = await runCli(['--role=worker', '--data-dir', data], { cwd: root, env: { APP_STORE_WAIT_MS: '500' } })
  assert.equal(worker.code, 4)
  assert.match(worker.stderr, /exists but is empty \(0 bytes\)/)
  const doctor = await runCli(['doctor', '--data-dir', data], { cwd: root })
  assert.equal(doctor.code, 1)
  assert.match(doctor.stdout, /plugins\.db exists but is empty \(0 bytes\)/)

  const sync = await runCli(['plugins', 'sync', '--data-dir', data, '--plugins-dir', join(root, 'plugins')], {
    cwd: root,
    env: { APP_SETTLE_MS: '0' },
  })
  assert.equal(sync.code, 0, sync.stderr)
  assert.equal((await runCli(['plugins', 'list', '--data-dir', data], { cwd: root })).code, 0)
})
