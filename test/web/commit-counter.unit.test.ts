// commitCounter decides whether the web role's cached pages still stand: it must move on every commit,
// by another connection or by its own, and stay put otherwise, in WAL mode and without it.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { test } from 'vitest'
import { openDatabase } from '../../src/store/open-database.ts'
import { commitCounter } from '../../src/web/commit-counter.ts'
import { tempDir } from '../helpers/cli.ts'

function checkCounter(own: Database.Database, other: Database.Database) {
  own.exec('CREATE TABLE IF NOT EXISTS t (x)')
  const counter = commitCounter(own)
  const first = counter()
  assert.equal(counter(), first, 'no commit: the same value')
  own.prepare('SELECT count(*) FROM t').get()
  assert.equal(counter(), first, 'a read is no commit')

  other.prepare('INSERT INTO t VALUES (1)').run()
  const afterOther = counter()
  assert.notEqual(afterOther, first, "another connection's commit")
  assert.equal(counter(), afterOther)

  own.prepare('INSERT INTO t VALUES (2)').run()
  const afterOwn = counter()
  assert.notEqual(afterOwn, afterOther, "this connection's own commit")

  // A transaction that rolls back changes nothing.
  other.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (3); ROLLBACK')
  assert.equal(counter(), afterOwn, 'a rolled-back transaction')
  for (let i = 0; i < 20; i++) {
    const before = counter()
    ;(i % 2 ? own : other).prepare('INSERT INTO t VALUES (?)').run(i)
    assert.notEqual(counter(), before, `commit ${i}`)
  }
}

test('in WAL mode (runtime.db, plugins.db): every commit moves the counter, nothing else does', (t) => {
  const file = join(tempDir(t), 'wal.db')
  const own = openDatabase(file)
  const other = openDatabase(file)
  t.onTestFinished(() => {
    own.close()
    other.close()
  })
  checkCounter(own, other)
  // A read-only connection (the web role's plugins.db) sees the writer's commits too.
  const reader = openDatabase(file, { readonly: true })
  t.onTestFinished(() => {
    reader.close()
  })
  const counter = commitCounter(reader)
  const before = counter()
  other.prepare('INSERT INTO t VALUES (99)').run()
  assert.notEqual(counter(), before)
})

test('without WAL (a rollback journal): the same answers, from data_version', (t) => {
  const file = join(tempDir(t), 'journal.db')
  const own = new Database(file)
  const other = new Database(file)
  t.onTestFinished(() => {
    own.close()
    other.close()
  })
  assert.equal(own.pragma('journal_mode', { simple: true }), 'delete')
  checkCounter(own, other)
})
