// `app doctor` and `app backup` with database.url: what an operator of a PostgreSQL install runs.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli, tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase, createTestDatabase } from '../helpers/postgres.ts'

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
beforeAll(async () => {
  db = await createInitializedDatabase()
  const client = new pg.Client({ connectionString: db.urls.worker })
  await client.connect()
  await client.query(
    "INSERT INTO runtime.resources (id, type, cloud, account, region, name, state, updated_at) VALUES ('i-1', 'instance', 'aws', '1', 'r', 'n', 'running', 'now')",
  )
  await client.end()
})
afterAll(async () => db?.drop())

type Check = { name: string; status: string; message: string }
const doctor = async (url: string, dataDir: string) => {
  const r = await runCli(['doctor', '--json', '--data-dir', dataDir], { env: { APP_DATABASE_URL: url } })
  return { code: r.code, checks: new Map((JSON.parse(r.stdout).checks as Check[]).map((c) => [c.name, c])) }
}

test('doctor on a worker URL: server and schema fine, read-only plugin store, no scheduler holding the lock', async (t) => {
  const { checks } = await doctor(db.urls.worker, tempDir(t))
  expect(checks.get('database')).toMatchObject({ status: 'ok' })
  expect(checks.get('database')!.message).toContain(`as ${db.prefix}_worker`)
  expect(checks.get('database')!.message).not.toContain(new URL(db.urls.worker).password)
  expect(checks.get('schema')).toMatchObject({ status: 'ok' })
  expect(checks.get('plugin store access')!.message).toContain('may only read the plugin store')
  expect(checks.get('writer lock')).toMatchObject({ status: 'warn' })
  expect(checks.get('cache dir')).toMatchObject({ status: 'ok' })
})

test('doctor on the scheduler URL says it owns the store; on an uninitialized database the schema check fails', async (t) => {
  expect((await doctor(db.urls.scheduler, tempDir(t))).checks.get('plugin store access')!.message).toContain('owns the plugin store')
  const empty = await createTestDatabase()
  try {
    const r = await doctor(empty.adminUrl, tempDir(t))
    expect(r.code).toBe(1)
    expect(r.checks.get('schema')).toMatchObject({ status: 'fail' })
    expect(r.checks.get('schema')!.message).toContain('app db init')
  } finally {
    await empty.drop()
  }
})

test('backup writes a pg_dump of both schemas that restores into a new database', async (t) => {
  const out = join(tempDir(t), 'backup')
  const r = await runCli(['backup', out, '--json'], { env: { APP_DATABASE_URL: db.urls.scheduler } })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const result = JSON.parse(r.stdout)
  expect(result.tables).toBeGreaterThan(20)
  expect(JSON.parse(readFileSync(join(out, 'backup.json'), 'utf8')).sha256).toBe(result.sha256)
  const target = await createTestDatabase()
  try {
    execFileSync('pg_restore', ['--no-owner', '--no-privileges', `--dbname=${target.adminUrl}`, join(out, 'app.dump')])
    const client = new pg.Client({ connectionString: target.adminUrl })
    await client.connect()
    const { rows } = await client.query('SELECT id FROM runtime.resources')
    await client.end()
    expect(rows).toEqual([{ id: 'i-1' }])
  } finally {
    await target.drop()
  }
  const again = await runCli(['backup', out], { env: { APP_DATABASE_URL: db.urls.scheduler } })
  expect(again.code).toBe(2)
  expect(existsSync(join(out, 'app.dump'))).toBe(true)
})
