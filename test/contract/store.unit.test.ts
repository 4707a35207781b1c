// long file: one contract suite for both plugin store backends (DESIGN sections 3 and 12), then what only PostgreSQL has
// The plugin store's contract: the same cases on a real WAL plugins.db and on a real PostgreSQL database, the
// scheduler writing and worker and web reading, each on its own role's connection.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { materializeBundle } from '../../src/loader/materialize-bundle.ts'
import { openPostgres, type PgPool } from '../../src/postgres/open-postgres.ts'
import type { PluginStoreWriter } from '../../src/store/plugin-store-port.ts'
import type { Warning } from '../../src/store/store-types.ts'
import { createPostgresBundleCache } from '../../src/store/postgres-bundle-cache.ts'
import { tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { type OpenHarness, postgresHarness, sqliteHarness, version } from './store-backends.ts'

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
let admin: PgPool
beforeAll(async () => {
  db = await createInitializedDatabase()
  admin = await openPostgres(db.adminUrl, { applicationName: 'store-test-admin', max: 2 })
})
afterAll(async () => {
  await admin?.end()
  await db?.drop()
})

const publish = (store: PluginStoreWriter, entries: Parameters<PluginStoreWriter['publish']>[0]['entries'], options = {}) =>
  store.publish({ reason: 'test', entries, notices: [] }, options)

const backends: Array<[string, OpenHarness]> = [
  ['sqlite', sqliteHarness],
  [
    'postgres',
    postgresHarness(
      () => db,
      () => admin,
    ),
  ],
]

describe.each(backends)('plugin store on %s', (_kind, open) => {
  test('two publishes make two generations; worker and web read the current one, its plugins and the history', async (t) => {
    const h = await open(t)
    const first = await publish(h.writer, [
      { name: 'alpha', version: version('alpha', '1.0.0', { 'index.js': 'export function load() { return 1 }' }) },
      { name: 'beta', version: version('beta', '1.0.0', { 'index.js': 'export function load() {}' }) },
    ])
    assert.deepEqual(first, { generation: 1, changed: true })
    const beta = (await h.writer.currentGeneration())!.plugins.find((p) => p.name === 'beta')!
    const second = await publish(h.writer, [
      { name: 'beta', version: beta.id },
      { name: 'alpha', version: version('alpha', '1.1.0', { 'index.js': 'export function load() { return 2 }' }) },
    ])
    assert.deepEqual(second, { generation: 2, changed: true })

    for (const role of ['worker', 'web'] as const) {
      const reader = await h.reader(role)
      const current = (await reader.currentGeneration())!
      assert.equal(current.id, 2)
      assert.deepEqual(
        current.plugins.map((p) => `${p.name}@${p.version}`),
        ['alpha@1.1.0', 'beta@1.0.0'],
      )
      assert.deepEqual(current, await h.writer.currentGeneration())
      assert.equal(await reader.currentGenerationId(), 2)
      assert.deepEqual(
        (await reader.generation(1))!.plugins.map((p) => `${p.name}@${p.version}`),
        ['alpha@1.0.0', 'beta@1.0.0'],
      )
      assert.deepEqual(
        (await reader.listGenerations()).map((g) => [g.id, g.pluginCount, g.reason]),
        [
          [2, 2, 'test'],
          [1, 2, 'test'],
        ],
      )
      assert.deepEqual(
        (await reader.history('alpha')).map((v) => [v.version, v.generations]),
        [
          ['1.1.0', [2]],
          ['1.0.0', [1]],
        ],
      )
      assert.deepEqual(
        (await reader.history('beta')).map((v) => v.generations),
        [[1, 2]],
      )
      const alpha = current.plugins[0]!
      assert.equal(
        (await reader.findVersion({ name: 'alpha', bundleSha256: alpha.bundleSha256, source: 'directory', origin: 'plugins/alpha' }))?.id,
        alpha.id,
      )
      assert.equal(await reader.generation(7), null)
    }
    // The same plugin set again writes no generation.
    assert.deepEqual(
      await publish(h.writer, [
        { name: 'alpha', version: (await h.writer.currentGeneration())!.plugins[0]!.id },
        { name: 'beta', version: beta.id },
      ]),
      { generation: 2, changed: false },
    )
    assert.equal((await h.counts()).generations, 2)
  })

  test("a bundle's files come back byte-identical, with their modes", async (t) => {
    const h = await open(t)
    const binary = randomBytes(300_000)
    const v = version('bytes', '1.0.0', { 'index.js': 'export function load() {}', 'data/blob.bin': binary, 'bin/run.sh*': '#!/bin/sh\n' })
    await publish(h.writer, [{ name: 'bytes', version: v }])
    const reader = await h.reader('worker')
    assert.deepEqual(await reader.bundle(v.bundle.sha256), v.bundle)
    for (const f of v.bundle.files) assert.ok((await reader.blob(f.sha256))!.equals(v.blobs.get(f.sha256)!), f.path)
    assert.equal((await reader.bundle(v.bundle.sha256))!.files.find((f) => f.path === 'bin/run.sh')!.mode, 0o755)
    const dir = await materializeBundle(tempDir(t), (await reader.bundle(v.bundle.sha256))!, (sha) => reader.blob(sha))
    assert.ok(readFileSync(join(dir, 'data/blob.bin')).equals(binary))
    assert.equal(await reader.blob('0'.repeat(64)), null)
    assert.equal(await reader.bundle('0'.repeat(64)), null)
  })

  test('the same content twice is stored once, and content already stored need not be sent again', async (t) => {
    const h = await open(t)
    const shared = 'export const shared = "the same in both plugins"\n'
    const a = version('a', '1.0.0', { 'index.js': 'export function load() { return "a" }', 'lib/shared.js': shared })
    const b = version('b', '1.0.0', { 'index.js': 'export function load() { return "b" }', 'lib/shared.js': shared })
    await publish(h.writer, [
      { name: 'a', version: a },
      { name: 'b', version: b },
    ])
    assert.equal((await h.counts()).blobs, 3)
    // A new version whose only new file is index.js: the plan carries just that content.
    const a2 = version('a', '1.1.0', { 'index.js': 'export function load() { return "a2" }', 'lib/shared.js': shared })
    const sharedSha = a2.bundle.files.find((f) => f.path === 'lib/shared.js')!.sha256
    assert.deepEqual(
      await h.writer.missingBlobs(a2.bundle.files.map((f) => f.sha256)),
      new Set(a2.bundle.files.filter((f) => f.sha256 !== sharedSha).map((f) => f.sha256)),
    )
    a2.blobs.delete(sharedSha)
    await publish(h.writer, [
      { name: 'a', version: a2 },
      { name: 'b', version: (await h.writer.currentGeneration())!.plugins[1]!.id },
    ])
    const counts = await h.counts()
    assert.equal(counts.blobs, 4)
    assert.equal(counts.bundles, 3)
    assert.equal((await (await h.reader('worker')).blob(sharedSha))!.toString(), shared)
  })

  test('a rejected update stays out of the generation and is reported with it, warnings and all', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'calc', version: version('calc', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    const kept = (await h.writer.currentGeneration())!.plugins[0]!
    const broken = version(
      'calc',
      '2.0.0',
      { 'index.js': 'export function load() { throw new Error("no") }' },
      {
        status: 'error',
        warnings: [
          {
            code: 'LOAD_FAILED',
            severity: 'error',
            plugin: 'calc',
            version: '2.0.0',
            message: 'load() threw: no',
            detail: 'Error: no\n  at load',
          },
          { code: 'UPDATE_REJECTED', severity: 'warning', plugin: 'calc', version: '2.0.0', message: 'kept 1.0.0', detail: null },
        ],
      },
    )
    await publish(h.writer, [{ name: 'calc', version: kept.id, rejected: broken }])
    const reader = await h.reader('web')
    const entry = (await reader.currentGeneration())!.plugins[0]!
    assert.equal(entry.version, '1.0.0')
    assert.equal(entry.rejected?.version, '2.0.0')
    assert.equal(entry.rejected?.status, 'error')
    assert.deepEqual(entry.rejected?.warnings, broken.warnings)
    // A failed version is never loaded: the cache need not keep its bundle.
    const keptBundles = await reader.keptBundles()
    assert.deepEqual(keptBundles.bundles, [kept.bundleSha256])
    assert.deepEqual(
      keptBundles.generations.map((g) => g.id),
      [1, 2],
    )
  })

  test('ingest warnings stay with their version; notices are replaced as a set, sorted by key, keeping first-seen', async (t) => {
    const h = await open(t)
    const warnings: Warning[] = [
      { code: 'DEPRECATED_API', severity: 'warning', plugin: 'w', version: '1.0.0', message: 'uses ctx.old()', detail: null },
      { code: 'ENGINE_MISMATCH', severity: 'info', plugin: 'w', version: '1.0.0', message: 'engines says >=2', detail: 'running 1.0' },
    ]
    const notice = (key: string, message: string) =>
      ({ key, code: 'NOT_A_PLUGIN', severity: 'warning', plugin: null, version: null, message, detail: null }) as const
    const plan = {
      reason: 'scan',
      entries: [{ name: 'w', version: version('w', '1.0.0', { 'index.js': 'export function load() {}' }, { warnings }) }],
      notices: [
        notice('b', 'plugins/b has no plugin.json'),
        notice('B', 'plugins/B has no plugin.json'),
        notice('a', 'plugins/a is empty'),
      ],
    }
    await h.writer.publish(plan)
    const reader = await h.reader('worker')
    assert.deepEqual((await reader.currentGeneration())!.plugins[0]!.warnings, warnings)
    const first = await reader.notices()
    assert.deepEqual(
      first.map((n) => n.key),
      ['B', 'a', 'b'],
    )
    assert.ok(first.every((n) => n.count === 1 && n.firstSeen === n.lastSeen))
    // The same scan again: nothing changes, nothing is written.
    assert.deepEqual(await h.writer.publish({ ...plan, entries: [{ name: 'w', version: 1 }] }), { generation: 1, changed: false })
    await new Promise((r) => setTimeout(r, 5))
    // One notice gone, one changed: the set is replaced, and a notice seen before keeps its first-seen time.
    const changed = await h.writer.publish({
      ...plan,
      entries: [{ name: 'w', version: 1 }],
      notices: [notice('a', 'plugins/a is empty'), notice('b', 'plugins/b has a broken plugin.json')],
    })
    assert.deepEqual(changed, { generation: 1, changed: true })
    const second = await reader.notices()
    assert.deepEqual(
      second.map((n) => [n.key, n.message, n.firstSeen === first.find((f) => f.key === n.key)!.firstSeen]),
      [
        ['a', 'plugins/a is empty', true],
        ['b', 'plugins/b has a broken plugin.json', true],
      ],
    )
    assert.ok(second[0]!.lastSeen > second[0]!.firstSeen)
  })

  test('pruning keeps the last keepGenerations and the pinned ones, and drops content only the pruned ones used', async (t) => {
    const h = await open(t)
    const versions = [1, 2, 3, 4].map((n) => version('p', `1.0.${n}`, { 'index.js': `export function load() { return ${n} }` }))
    for (const v of versions) await publish(h.writer, [{ name: 'p', version: v }], { keepGenerations: 2, pinnedGenerations: [1] })
    const reader = await h.reader('worker')
    assert.deepEqual(
      (await reader.listGenerations()).map((g) => g.id),
      [4, 3, 1],
    )
    assert.equal(await reader.generation(2), null)
    assert.deepEqual(
      (await reader.history('p')).map((v) => v.version),
      ['1.0.4', '1.0.3', '1.0.1'],
    )
    assert.equal(await reader.blob(versions[1]!.bundle.files[0]!.sha256), null)
    assert.equal(await reader.bundle(versions[1]!.bundle.sha256), null)
    assert.ok(await reader.blob(versions[0]!.bundle.files[0]!.sha256))
    assert.deepEqual(await h.counts(), {
      blobs: 3,
      bundles: 3,
      plugin_versions: 3,
      generations: 3,
      generation_plugins: 3,
      ingest_warnings: 0,
      notices: 0,
      source_state: 0,
    })
    // Unpinned, the next publish prunes generation 1 too.
    await publish(h.writer, [{ name: 'p', version: version('p', '1.0.5', { 'index.js': 'export function load() { return 5 }' }) }], {
      keepGenerations: 2,
    })
    assert.deepEqual(
      (await reader.listGenerations()).map((g) => g.id),
      [5, 4],
    )
    assert.equal((await h.counts()).blobs, 2)
  })

  test('rollback writes a new generation with an old plugin set; an unknown one is refused by code', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'r', version: version('r', '1.0.0', { 'index.js': 'export function load() { return 1 }' }) }])
    await publish(h.writer, [{ name: 'r', version: version('r', '2.0.0', { 'index.js': 'export function load() { return 2 }' }) }])
    assert.equal(await h.writer.rollback(1), 3)
    const current = (await (await h.reader('web')).currentGeneration())!
    assert.deepEqual([current.id, current.reason, current.plugins[0]!.version], [3, 'rollback to generation 1', '1.0.0'])
    await assert.rejects(h.writer.rollback(42), { code: 'GENERATION_NOT_FOUND', message: 'generation 42 does not exist' })
    assert.equal(await h.writer.currentGenerationId(), 3)
  })

  test('source state round-trips and readers see it; an empty store reads as empty', async (t) => {
    const h = await open(t)
    const reader = await h.reader('worker')
    assert.equal(await reader.currentGeneration(), null)
    assert.equal(await reader.currentGenerationId(), null)
    assert.deepEqual(await reader.keptBundles(), { bundles: [], generations: [] })
    assert.equal(await reader.sourceState('http:x'), null)
    await h.writer.setSourceState('http:x', { etag: '"1"' })
    await h.writer.setSourceState('http:x', { etag: '"2"', at: 5 })
    assert.deepEqual(await reader.sourceState('http:x'), { etag: '"2"', at: 5 })
  })

  test('a reader on the worker connection sees everything and is refused any write', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'x', version: version('x', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    const before = await h.counts()
    const worker = await h.writerOnWorkerConnection()
    const refused = (e: unknown) => h.refused.test(String(e))
    await assert.rejects(
      publish(worker, [{ name: 'y', version: version('y', '1.0.0', { 'index.js': 'export function load() {}' }) }]),
      refused,
    )
    await assert.rejects(worker.setSourceState('k', {}), refused)
    await assert.rejects(worker.rollback(1), refused)
    assert.deepEqual(await h.counts(), before)
    const reader = await h.reader('worker')
    assert.deepEqual(await reader.currentGeneration(), await h.writer.currentGeneration())
  })

  test('a publish that throws halfway leaves the previous generation current and no rows of its own', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'small', version: version('small', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    const before = await h.counts()
    const big = version('big', '1.0.0', { 'a.bin': randomBytes(1 << 20), 'b.bin': randomBytes(1 << 20) })
    const broken = version('broken', '1.0.0', { 'index.js': 'export function load() { return 2 }' })
    broken.blobs.clear() // its content is neither in the plan nor in the store: the publish throws after writing "big"
    await assert.rejects(
      h.writer.publish({
        reason: 'test',
        entries: [
          { name: 'small', version: 1 },
          { name: 'big', version: big },
          { name: 'broken', version: broken },
        ],
        notices: [{ key: 'n', code: 'NOT_A_PLUGIN', severity: 'warning', plugin: null, version: null, message: 'm', detail: null }],
      }),
      /publish of broken: content of index\.js \([0-9a-f]{64}\) is neither in the plan nor in the store/,
    )
    assert.deepEqual(await h.counts(), before)
    assert.equal(await (await h.reader('worker')).currentGenerationId(), 1)
    // The next publish takes the next id: nothing of the failed one is left over.
    assert.equal((await publish(h.writer, [{ name: 'big', version: big }])).generation, 2)
  })

  test('a watching reader hears of each new generation', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'w', version: version('w', '1.0.0', { 'index.js': 'export function load() { return 1 }' }) }])
    const reader = await h.reader('worker')
    const heard: number[] = []
    const unwatch = await reader.watchGenerations((id) => heard.push(id), { pollMs: 20 })
    t.onTestFinished(unwatch)
    await publish(h.writer, [{ name: 'w', version: version('w', '2.0.0', { 'index.js': 'export function load() { return 2 }' }) }])
    await waitUntil('the new generation to be heard', () => heard.includes(2), 10_000, 10)
    await h.writer.rollback(1)
    await waitUntil('the rollback to be heard', () => heard.includes(3), 10_000, 10)
    assert.deepEqual(heard, [2, 3])
    await unwatch()
    await h.writer.rollback(2)
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(heard, [2, 3], 'nothing after unwatch')
    // Closing a reader ends its watches (PostgreSQL: the held LISTEN connection would keep the pool open).
    await reader.watchGenerations(() => heard.push(-1), { pollMs: 20 })
    await reader.close()
    await h.writer.rollback(1)
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(heard, [2, 3], 'nothing after close')
  })

  test("a web reader's change token moves with a publish, new notices, source state and a prune, and not with reads", async (t) => {
    const h = await open(t)
    const reader = await h.reader('web')
    let last = await reader.changeToken()
    const moved = async (what: string) => {
      const now = await reader.changeToken()
      assert.notEqual(now, last, `${what}: the token moved`)
      last = now
    }
    const p = (n: number) => ({ name: 'p', version: version('p', `1.0.${n}`, { 'index.js': `export function load() { return ${n} }` }) })
    await publish(h.writer, [p(1)])
    await moved('the first publish')
    await reader.currentGeneration()
    await reader.notices()
    assert.equal(await reader.changeToken(), last, 'reads alone')
    const notice = { key: 'n', code: 'NOT_A_PLUGIN', severity: 'warning', plugin: null, version: null, message: 'm', detail: null } as const
    await h.writer.publish({ reason: 'scan', entries: [{ name: 'p', version: 1 }], notices: [notice] })
    await moved('a notice in an unchanged generation')
    await h.writer.setSourceState('disabled-plugins', { plugins: { p: { at: 'now', by: 'Carol', version: '1.0.1' } } })
    await moved('the disabled plugins')
    await publish(h.writer, [p(2)], { keepGenerations: 1 })
    await moved('a publish that pruned the one before')
  })
})

describe('plugin store on postgres only', () => {
  const open = postgresHarness(
    () => db,
    () => admin,
  )

  test('a publish whose connection dies midway leaves nothing: the previous generation stays current', async (t) => {
    const h = await open(t)
    await publish(h.writer, [{ name: 'small', version: version('small', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    const before = await h.counts()
    // Hold the generations table: the publish writes its blobs, bundle and version, then waits to add its generation.
    const blocker = await admin.connect()
    t.onTestFinished(() => blocker.release())
    await blocker.query('BEGIN')
    await blocker.query('LOCK TABLE plugins.generations IN ACCESS EXCLUSIVE MODE')
    const big = version('big', '1.0.0', { 'a.bin': randomBytes(1 << 20) })
    const publishing = publish(h.writer, [
      { name: 'small', version: 1 },
      { name: 'big', version: big },
    ])
    publishing.catch(() => {})
    const pid = await waitUntil(
      'the publish to wait on the generations table',
      async () =>
        (
          await admin.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'store-test-scheduler' AND wait_event_type = 'Lock'",
          )
        ).rows[0]?.pid,
      10_000,
      20,
    )
    const written = await admin.query<{ t: string }>(
      "SELECT relation::regclass::text AS t FROM pg_locks WHERE pid = $1 AND mode = 'RowExclusiveLock'",
      [pid],
    )
    assert.ok(
      written.rows.some((r) => r.t === 'plugins.blobs'),
      `the publish had written blobs: ${JSON.stringify(written.rows)}`,
    )
    // As if the scheduler died: the server drops its connection and rolls its transaction back.
    await admin.query('SELECT pg_terminate_backend($1)', [pid])
    await assert.rejects(publishing, /terminat/)
    await blocker.query('ROLLBACK')
    assert.deepEqual(await h.counts(), before)
    assert.equal(await (await h.reader('worker')).currentGenerationId(), 1)
    assert.equal((await publish(h.writer, [{ name: 'big', version: big }])).generation, 2, 'the store takes the next publish')
  })

  test('LISTEN app_generation hears a committed generation, never a rolled-back one', async (t) => {
    const h = await open(t)
    const listener = new pg.Client({ connectionString: db.urls.worker })
    await listener.connect()
    t.onTestFinished(() => listener.end())
    const heard: string[] = []
    listener.on('notification', (m) => heard.push(`${m.channel}:${m.payload}`))
    await listener.query('LISTEN app_generation')
    const broken = version('broken', '1.0.0', { 'index.js': 'x' })
    broken.blobs.clear()
    await assert.rejects(publish(h.writer, [{ name: 'broken', version: broken }]))
    await publish(h.writer, [{ name: 'ok', version: version('ok', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    await waitUntil('the notification', () => heard.length > 0, 10_000, 10)
    assert.deepEqual(heard, ['app_generation:1'])
  })

  test('a watching reader whose connection drops listens again and hears what was published meanwhile', async (t) => {
    const h = await open(t)
    const reader = await h.reader('worker')
    const heard: number[] = []
    t.onTestFinished(await reader.watchGenerations((id) => heard.push(id)))
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'store-test-worker' AND query = 'LISTEN app_generation'",
    )
    assert.equal(rowCount, 1)
    await publish(h.writer, [{ name: 'n', version: version('n', '1.0.0', { 'index.js': 'export function load() {}' }) }])
    await waitUntil('the generation published while the watch reconnected', () => heard.includes(1), 10_000, 20)
    await publish(h.writer, [{ name: 'n', version: version('n', '2.0.0', { 'index.js': 'export function load() { return 2 }' }) }])
    await waitUntil('the next one, by notification again', () => heard.includes(2), 10_000, 20)
    assert.deepEqual(heard, [1, 2])
  })

  test("a bundle is fetched from PostgreSQL once per host: another process's cache on the data dir finds it", async (t) => {
    const h = await open(t)
    const v = version('cached', '1.0.0', {
      'index.js': 'export function load() {}',
      'big.bin': randomBytes(200_000),
      'run.sh*': '#!/bin/sh\n',
    })
    await publish(h.writer, [{ name: 'cached', version: v }])
    const cacheDir = join(tempDir(t), 'data', 'cache')
    const pool = await openPostgres(db.urls.worker, { applicationName: 'store-test-cache', max: 2 })
    t.onTestFinished(() => pool.end())
    // Two processes starting together on one data dir: one fetches, the other waits for its directory.
    const first = createPostgresBundleCache(pool, cacheDir, materializeBundle)
    const second = createPostgresBundleCache(pool, cacheDir, materializeBundle)
    const [a, b] = await Promise.all([first.dir(v.bundle.sha256), second.dir(v.bundle.sha256)])
    assert.equal(a, join(cacheDir, v.bundle.sha256))
    assert.equal(b, a)
    assert.equal(first.fetched + second.fetched, 1)
    for (const f of v.bundle.files) assert.ok(readFileSync(join(a, f.path)).equals(v.blobs.get(f.sha256)!), f.path)
    assert.equal(statSync(join(a, 'run.sh')).mode & 0o111, 0o111)
    const later = createPostgresBundleCache(pool, cacheDir, materializeBundle)
    assert.equal(await later.dir(v.bundle.sha256), a)
    assert.equal(later.fetched, 0)
    await assert.rejects(later.dir('f'.repeat(64)), /bundle f{64} is not in the plugin store/)
  })
})
