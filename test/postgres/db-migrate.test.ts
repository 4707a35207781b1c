// `app db migrate --from-sqlite`: an SQLite install moved into PostgreSQL, verified table by table; an
// occupied target is refused and the SQLite files are never changed.
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, runCli, tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { publishInProcess } from '../helpers/publish.ts'

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
beforeAll(async () => {
  db = await createInitializedDatabase()
})
afterAll(async () => db?.drop())

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

test('an install moves over whole: every table verified, ids carried, the SQLite files untouched; a second move is refused', async (t) => {
  const root = tempDir(t)
  const data = join(root, 'data')
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  await publishInProcess(data, join(root, 'plugins'))
  writeFileSync(
    join(root, 'resources.json'),
    JSON.stringify(
      Array.from({ length: 30 }, (_, i) => ({
        id: `i-${i}`,
        type: 'instance',
        cloud: 'aws',
        account: '111122223333',
        region: 'eu-west-1',
        name: `web-${i}`,
        state: 'running',
        tags: { env: 'prod' },
        properties: { instanceType: i % 2 ? 't3.micro' : 'm5.large' },
      })),
    ),
  )
  expect((await runCli(['resources', 'import', 'resources.json', '--data-dir', 'data'], { cwd: root })).code).toBe(0)
  const before = { store: sha(join(data, 'plugins.db')), runtime: sha(join(data, 'runtime.db')) }

  const env = { APP_DATABASE_URL: db.urls.scheduler }
  const r = await runCli(['db', 'migrate', '--from-sqlite', data, '--json'], { env })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const tables = new Map((JSON.parse(r.stdout).tables as Array<{ table: string; rows: number }>).map((x) => [x.table, x.rows]))
  expect(tables.get('runtime.resources')).toBe(30)
  expect(tables.get('plugins.generations')).toBe(1)
  expect(tables.get('plugins.plugin_versions')).toBe(3)
  expect(tables.get('plugins.blobs')).toBeGreaterThan(0)

  // What a worker would read: the generation and its plugins, the inventory.
  const plugins = await query<{ name: string }>(
    db.urls.worker,
    'SELECT v.name FROM plugins.generation_plugins g JOIN plugins.plugin_versions v ON v.id = g.plugin_version ORDER BY v.name',
  )
  expect(plugins.map((p) => p.name)).toEqual(['instance-type-blacklist', 'ops-banner', 'start-resource-later'])
  expect(
    (await query<{ n: number }>(db.urls.worker, "SELECT count(*)::int AS n FROM runtime.resources WHERE tags LIKE '%prod%'"))[0]!.n,
  ).toBe(30)
  // Identity columns continue after the copied ids: the next generation does not collide with generation 1.
  const [next] = await query<{ id: string }>(
    db.urls.scheduler,
    "INSERT INTO plugins.generations (created_at, reason) VALUES ('x', 'test') RETURNING id",
  )
  expect(Number(next!.id)).toBe(2)

  expect({ store: sha(join(data, 'plugins.db')), runtime: sha(join(data, 'runtime.db')) }).toEqual(before)

  const again = await runCli(['db', 'migrate', '--from-sqlite', data], { env })
  expect(again.code).toBe(4)
  expect(again.stderr).toContain('already holds app data (plugins.meta')
  expect((await query<{ n: number }>(db.urls.worker, 'SELECT count(*)::int AS n FROM runtime.resources'))[0]!.n).toBe(30)
})

test('without database.url the command says what to set', async (t) => {
  const r = await runCli(['db', 'migrate', '--from-sqlite', tempDir(t)], { env: { APP_DATABASE_URL: '' } })
  expect(r.code).toBe(2)
  expect(r.stderr).toContain('set database.url (APP_DATABASE_URL)')
})
