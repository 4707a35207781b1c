// The scheduler on PostgreSQL, as real processes, each on a data dir of its own (they share no file): it
// publishes into the `plugins` schema, one at a time (a second exits 3 naming the holder), kill -9 hands the
// lock to the next one, a kill -9 mid-publish leaves nothing partial, and operators' requests from the CLI
// are applied within a poll.
import { randomBytes } from 'node:crypto'
import { cpSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { expect, test } from 'vitest'
import { manifest, ROOT, type RunningRole, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { waitUntil } from '../helpers/wait-until.ts'

type TestContext = Parameters<typeof tempDir>[0]
const STARTED = /"msg":"scheduler started"/

/** A fresh database and a root dir holding a copy of the repo's plugins/. */
async function setUp(t: TestContext) {
  const db = await createInitializedDatabase()
  t.onTestFinished(() => db.drop())
  const root = tempDir(t)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  /** Reads as the worker's database role: SELECT on plugins.* is what every reader has. */
  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = [], url = db.urls.worker) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<T>(sql, params)).rows
    } finally {
      await client.end()
    }
  }
  const scheduler = (dataDir: string): RunningRole => {
    const role = startCli(['--role=scheduler', '--data-dir', dataDir, '--plugins-dir', 'plugins'], {
      cwd: root,
      env: { APP_SETTLE_MS: '0', APP_DATABASE_URL: db.urls.scheduler },
    })
    t.onTestFinished(async () => {
      await role.stop('SIGKILL')
    })
    return role
  }
  /** The server frees a killed holder's lock once it sees the connection drop: start until one is not refused. */
  const takeOver = async (dataDir: string): Promise<RunningRole> =>
    waitUntil(`a scheduler on ${dataDir} to take the lock`, async () => {
      const s = scheduler(dataDir)
      const started = await s.waitFor(STARTED, 240_000).then(
        () => true,
        () => false, // refused (exit 3): the server has not yet seen the killed holder's connection drop
      )
      return started ? s : null
    })
  const generations = async () =>
    (
      await query<{ id: number; n: number }>(`SELECT g.id::int AS id, count(gp.name)::int AS n FROM plugins.generations g
      LEFT JOIN plugins.generation_plugins gp ON gp.generation_id = g.id GROUP BY g.id ORDER BY g.id`)
    ).map((g) => [g.id, g.n])
  return { db, root, query, scheduler, takeOver, generations }
}

test('a scheduler publishes generation 1 into PostgreSQL; a second one exits 3 naming it; after kill -9 another takes over', async (t) => {
  const { db, root, query, scheduler, takeOver, generations } = await setUp(t)
  const first = scheduler('data-a')
  await first.waitFor(STARTED, 120_000)
  expect(await generations()).toEqual([[1, 3]])
  const names = await query<{ name: string; status: string }>(
    `SELECT gp.name, v.status FROM plugins.generation_plugins gp JOIN plugins.plugin_versions v ON v.id = gp.plugin_version
      WHERE gp.generation_id = 1 ORDER BY gp.name`,
  )
  expect(names).toEqual(['instance-type-blacklist', 'ops-banner', 'start-resource-later'].map((name) => ({ name, status: 'ok' })))
  const registered = await query<{ role: string; pid: number; generation: number }>(
    'SELECT role, pid::int AS pid, generation::int AS generation FROM runtime.processes WHERE stopped_at IS NULL',
  )
  expect(registered).toEqual([{ role: 'scheduler', pid: first.child.pid, generation: 1 }])

  const second = scheduler('data-b')
  expect(await second.exited).toBe(3)
  expect(second.output()).toContain(`another scheduler holds the plugin store's writer lock in PostgreSQL`)
  expect(second.output()).toContain(`${hostname()}:${first.child.pid} app --role=scheduler`)
  expect(second.output()).not.toContain(new URL(db.urls.scheduler).password)

  first.child.kill('SIGKILL')
  await first.exited
  const next = await takeOver('data-c')
  // The new holder is the writer now: a plugin added to the source is published by it.
  writePlugin(join(root, 'plugins'), 'late', manifest('late'), { 'index.js': 'export function load() {}\n' })
  await waitUntil('generation 2 with the added plugin', async () => (await generations()).length === 2, 30_000)
  expect(await generations()).toEqual([
    [1, 3],
    [2, 4],
  ])
  await next.waitFor(/"generation":2,"plugins":4,"msg":"published plugin generation"/)
  expect(await next.stop('SIGTERM')).toBe(0)
  expect(await query('SELECT pid::int AS pid FROM runtime.processes WHERE stopped_at IS NULL')).toEqual([{ pid: first.child.pid }])
})

/** `a` is the publish's transaction-level advisory lock ('APP1', 2) in this database; $1 is 'APP1'. */
const PUBLISH_LOCK = `WHERE a.locktype = 'advisory' AND a.classid = $1 AND a.objid = 2 AND a.granted
  AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())`

/** Row counts of every table of the plugins schema. */
async function pluginRowCounts(query: Awaited<ReturnType<typeof setUp>>['query'], adminUrl: string) {
  const tables = await query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'plugins' ORDER BY table_name`,
    [],
    adminUrl,
  )
  const counts: Record<string, number> = {}
  for (const { t } of tables) counts[t] = (await query<{ n: number }>(`SELECT count(*)::int AS n FROM plugins.${t}`, [], adminUrl))[0]!.n
  return counts
}

test('kill -9 mid-publish leaves the last generation current and nothing partial; the next scheduler publishes whole', async (t) => {
  const { db, root, query, scheduler, takeOver, generations } = await setUp(t)
  const first = scheduler('data-a')
  await first.waitFor(STARTED, 120_000)
  expect(await first.stop('SIGTERM')).toBe(0)
  const before = await pluginRowCounts(query, db.adminUrl)
  expect(before.generations).toBe(1)

  // 40 plugins with 512 KiB of their own each: the publish transaction sends 20 MiB, long enough to be caught,
  // while the dry runs before it (one thread start per plugin) stay short.
  for (let i = 0; i < 40; i++)
    writePlugin(join(root, 'plugins'), `bulk-${String(i).padStart(3, '0')}`, manifest(`bulk-${String(i).padStart(3, '0')}`), {
      'index.js': 'export function load() {}\n',
      'data.bin': randomBytes(512 * 1024),
    })
  const victim = scheduler('data-b')
  const admin = new pg.Client({ connectionString: db.adminUrl })
  await admin.connect()
  t.onTestFinished(() => admin.end())
  // The publish holds the transaction-level advisory lock ('APP1', 2) from its start to its commit; once it also
  // holds a row lock on plugins.plugin_versions, it has written versions that no other session can see yet.
  const held = async (sql: string) => (await admin.query<{ n: number }>(sql, [0x41505031])).rows[0]!.n > 0
  const publishing = () => held(`SELECT count(*)::int AS n FROM pg_locks a ${PUBLISH_LOCK}`)
  const writing = () =>
    held(`SELECT count(*)::int AS n FROM pg_locks a JOIN pg_locks r ON r.pid = a.pid AND r.locktype = 'relation'
      AND r.relation = 'plugins.plugin_versions'::regclass AND r.mode = 'RowExclusiveLock' ${PUBLISH_LOCK}`)
  const deadline = Date.now() + 300_000
  while (!(await writing())) {
    expect(victim.child.exitCode, victim.output()).toBeNull()
    expect(Date.now() < deadline, 'the publish to start').toBe(true)
  }
  victim.child.kill('SIGKILL')
  await victim.exited
  expect(victim.output()).not.toMatch(/published plugin generation/)
  await waitUntil('the killed publish to be rolled back', async () => !(await publishing()), 10_000)
  expect(await pluginRowCounts(query, db.adminUrl)).toEqual(before)
  expect(await generations()).toEqual([[1, 3]])

  const next = await takeOver('data-c')
  expect(next.output()).toMatch(/"generation":2,"plugins":43,"msg":"published plugin generation"/)
  expect(await generations()).toEqual([
    [1, 3],
    [2, 43],
  ])
  const after = await pluginRowCounts(query, db.adminUrl)
  expect(after.plugin_versions).toBe(before.plugin_versions! + 40)
  expect(after.blobs).toBe(before.blobs! + 2 * 40 + 1) // each plugin's data.bin and plugin.json, one index.js for all
}, 240_000)

test('app plugins disable from the CLI (the web role) is applied by the PostgreSQL scheduler within 2 s', async (t) => {
  const { db, root, query, scheduler, generations } = await setUp(t)
  const s = scheduler('data-a')
  await s.waitFor(STARTED, 120_000)
  const off = await runCli(['plugins', 'disable', 'ops-banner', '--json', '--data-dir', 'cli'], {
    cwd: root,
    env: { APP_DATABASE_URL: db.urls.web },
  })
  expect(off.stderr).toBe('')
  expect(off.code).toBe(0)
  const request = JSON.parse(off.stdout) as { id: number; status: string; generation: number; requestedAt: string; finishedAt: string }
  expect([request.status, request.generation]).toEqual(['done', 2])
  expect(Date.parse(request.finishedAt) - Date.parse(request.requestedAt)).toBeLessThan(2000)
  expect(await generations()).toEqual([
    [1, 3],
    [2, 2],
  ])
  const audit = await query<{ action: string; plugin: string; outcome: string }>('SELECT action, plugin, outcome FROM runtime.audit_log')
  expect(audit).toEqual([{ action: 'disable', plugin: 'ops-banner', outcome: 'done' }])

  // A name no generation holds is refused by the CLI itself, naming what there is.
  const unknown = await runCli(['plugins', 'disable', 'nope', '--data-dir', 'cli'], { cwd: root, env: { APP_DATABASE_URL: db.urls.web } })
  expect(unknown.code).toBe(1)
  expect(unknown.stderr).toMatch(
    /no plugin named "nope" in generation 2, and none disabled by that name; plugins: instance-type-blacklist, ops-banner/,
  )
})

test('a scheduler whose lock connection is cut stops at once with exit 1: another one may now write', async (t) => {
  const { db, query, scheduler } = await setUp(t)
  const s = scheduler('data-a')
  await s.waitFor(STARTED, 120_000)
  const cut = await query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database()
      AND application_name LIKE '% app --role=scheduler'`,
    [],
    db.adminUrl,
  )
  expect(cut).toEqual([{ ok: true }])
  expect(await s.exited).toBe(1)
  expect(s.output()).toMatch(/lost the writer lock in PostgreSQL; another scheduler may now write, so this one stops at once/)
})

test('app plugins sync and rollback write into PostgreSQL under the same lock as the scheduler', async (t) => {
  const { db, root, scheduler, generations } = await setUp(t)
  const app = (...args: string[]) =>
    runCli([...args, '--data-dir', 'cli'], { cwd: root, env: { APP_SETTLE_MS: '0', APP_DATABASE_URL: db.urls.scheduler } })
  const sync = await app('plugins', 'sync', '--plugins-dir', 'plugins')
  expect(sync.stdout, sync.stderr).toBe('published generation 1 (3 plugins)\n')
  writePlugin(join(root, 'plugins'), 'late', manifest('late'), { 'index.js': 'export function load() {}\n' })
  expect((await app('plugins', 'sync', '--plugins-dir', 'plugins')).stdout).toBe('published generation 2 (4 plugins)\n')
  expect((await app('plugins', 'rollback', '1')).stdout).toMatch(/^published generation 3 with the plugins of generation 1;/)
  const missing = await app('plugins', 'rollback', '99')
  expect(missing.code).toBe(1)
  expect(missing.stderr).toMatch(/generation 99 is not in the store; recent generations: 3, 2, 1\./)
  expect(await generations()).toEqual([
    [1, 3],
    [2, 4],
    [3, 3],
  ])

  const s = scheduler('data-a')
  await s.waitFor(STARTED, 120_000)
  const refused = await app('plugins', 'sync', '--plugins-dir', 'plugins')
  expect(refused.code).toBe(3)
  expect(refused.stderr).toContain(`${hostname()}:${s.child.pid} app --role=scheduler`)
})
