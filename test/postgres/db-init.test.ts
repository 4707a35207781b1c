// `app db init` as an operator runs it, and the grants it leaves: the server itself refuses a worker's or web
// server's write to the plugin store, as SQLite's read-only open does on one host.
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts'

let db: TestDatabase
let urls: { scheduler: string; worker: string; web: string }

beforeAll(async () => {
  db = await createTestDatabase()
  const r = await runCli(['db', 'init', '--admin-url', db.adminUrl, '--role-prefix', db.prefix, '--json'])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  urls = JSON.parse(r.stdout)
})
afterAll(async () => db?.drop())

async function asRole(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql, params)
  } finally {
    await client.end()
  }
}

const refusal = (url: string, sql: string) =>
  asRole(url, sql).then(
    () => 'allowed',
    (e: { code?: string; message: string }) => e.code,
  )

test('prints one URL per app role, each with its own database role and a password', () => {
  expect(Object.keys(urls).sort()).toEqual(['scheduler', 'web', 'worker'])
  for (const [role, url] of Object.entries(urls)) {
    const u = new URL(url)
    expect(u.username).toBe(`${db.prefix}_${role}`)
    expect(u.password.length).toBeGreaterThanOrEqual(24)
    expect(u.pathname).toBe(`/${db.name}`)
  }
})

test('worker and web get a permission error on every kind of write to plugins, and may read it', async () => {
  for (const url of [urls.worker, urls.web]) {
    expect((await asRole(url, 'SELECT count(*)::int AS n FROM plugins.generations')).rows[0].n).toBe(0)
    expect(await refusal(url, "INSERT INTO plugins.meta (key, value) VALUES ('x', 'y')")).toBe('42501')
    expect(await refusal(url, "UPDATE plugins.meta SET value = 'y'")).toBe('42501')
    expect(await refusal(url, 'DELETE FROM plugins.generations')).toBe('42501')
    expect(await refusal(url, 'TRUNCATE plugins.blobs')).toBe('42501')
    expect(await refusal(url, 'CREATE TABLE plugins.extra (id int)')).toBe('42501')
    expect(await refusal(url, 'DROP TABLE plugins.bundles')).toBe('42501')
  }
})

test('worker and web read and write rows in runtime, but cannot change its tables', async () => {
  const insert = `INSERT INTO runtime.jobs (event_type, run_at, created_at) VALUES ('t', 1, 1) RETURNING id`
  const id = Number((await asRole(urls.worker, insert)).rows[0].id)
  expect(id).toBeGreaterThan(0)
  expect((await asRole(urls.web, 'UPDATE runtime.jobs SET status = $1 WHERE id = $2', ['cancelled', id])).rowCount).toBe(1)
  expect((await asRole(urls.worker, 'DELETE FROM runtime.jobs WHERE id = $1', [id])).rowCount).toBe(1)
  expect(await refusal(urls.worker, 'DROP TABLE runtime.jobs')).toBe('42501')
  expect(await refusal(urls.web, 'ALTER TABLE runtime.jobs ADD COLUMN x int')).toBe('42501')
})

test('the scheduler owns the plugin store and writes it', async () => {
  await asRole(urls.scheduler, "INSERT INTO plugins.meta (key, value) VALUES ('owner-check', 'ok')")
  expect((await asRole(urls.worker, "SELECT value FROM plugins.meta WHERE key = 'owner-check'")).rows[0].value).toBe('ok')
})

test('running it again is safe: roles keep their passwords, and the human output says so', async () => {
  const again = await runCli(['db', 'init', '--admin-url', db.adminUrl, '--role-prefix', db.prefix])
  expect(again.code).toBe(0)
  expect(again.stdout).toContain('schemas plugins and runtime at version')
  expect(again.stdout).toMatch(/worker .*password unchanged/)
  expect(again.stdout).not.toContain(new URL(urls.worker).password)
  // The old password still works (trust auth on this server would let any through, so check it is unchanged in the catalog).
  expect((await asRole(urls.worker, 'SELECT 1 AS one')).rows[0].one).toBe(1)
  expect(await refusal(urls.worker, "INSERT INTO plugins.meta (key, value) VALUES ('x', 'y')")).toBe('42501')
})

test('an unreachable server is a clear error without the password, exit 1', async () => {
  const r = await runCli(['db', 'init', '--admin-url', 'postgres://admin:S3CRET-pw@127.0.0.1:1/x'])
  expect(r.code).toBe(1)
  expect(r.stderr).toContain('Cannot connect to PostgreSQL at postgres://***:***@127.0.0.1:1/x')
  expect(r.stderr).not.toContain('S3CRET')
})
