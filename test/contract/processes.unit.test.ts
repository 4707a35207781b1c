// The process registry (ProcessRegistryPort) on both backends: roles register and beat, report what they
// loaded and stop; readers see who is live, what each runs and which generations a publish must keep. On
// PostgreSQL workers and webs register on their own database roles, and those roles cannot write plugins.*.
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { DatabaseError } from 'pg'
import { describe, test } from 'vitest'
import type { Warning } from '../../src/errors/warning.ts'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import type { PgPool } from '../../src/postgres/open-postgres.ts'
import { createPostgresProcessRegistry } from '../../src/runtime/postgres-process-registry.ts'
import { STALE_AFTER_MS } from '../../src/runtime/process-info.ts'
import type { ProcessRegistryPort } from '../../src/runtime/process-registry-port.ts'
import { createSqliteProcessRegistry } from '../../src/runtime/process-registry.ts'
import { liveGenerationsOf } from '../../src/runtime/read-processes.ts'
import { APP_VERSION } from '../../src/version.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

const registryOf = (b: RuntimeBackend, role: DbRoleName): ProcessRegistryPort =>
  b.kind === 'sqlite' ? createSqliteProcessRegistry(b.db) : createPostgresProcessRegistry(b.pools[role])

const HOUR = 3600_000

describe.each(BACKENDS)('process registry on %s', (kind) => {
  const open = useRuntimeBackend(kind)

  test('a registered process is listed live with its role, host, pid and version; stop() takes it off', async (t) => {
    const b = await open(t)
    const worker = await registryOf(b, 'worker').register('worker', { heartbeatMs: HOUR })
    await new Promise((r) => setTimeout(r, 5)) // a later start time
    const web = await registryOf(b, 'web').register('web', { heartbeatMs: HOUR })
    const listed = await registryOf(b, 'web').list()
    assert.deepEqual(
      listed.map((p) => [p.id, p.role, p.host, p.pid, p.version, p.live, p.stoppedAt, p.generation]),
      [
        [web.id, 'web', hostname(), process.pid, APP_VERSION, true, null, null],
        [worker.id, 'worker', hostname(), process.pid, APP_VERSION, true, null, null],
      ],
      'newest first',
    )
    assert.equal(listed[1]!.heartbeatAt, listed[1]!.startedAt)
    await worker.stop()
    assert.deepEqual(
      (await registryOf(b, 'scheduler').list()).map((p) => p.id),
      [web.id],
    )
    const all = await registryOf(b, 'scheduler').list({ includeStopped: true })
    const stopped = all.find((p) => p.id === worker.id)!
    assert.equal(stopped.live, false)
    assert.ok(Date.parse(stopped.stoppedAt!) >= Date.parse(stopped.startedAt))
    await web.stop()
  })

  test('the heartbeat keeps a process live; one that stops beating goes stale after STALE_AFTER_MS', async (t) => {
    const b = await open(t)
    const silent = await registryOf(b, 'worker').register('worker', { heartbeatMs: HOUR })
    const beating = await registryOf(b, 'worker').register('worker', { heartbeatMs: 30 })
    t.onTestFinished(async () => {
      await beating.stop()
      await silent.stop()
    })
    const registry = registryOf(b, 'web')
    const started = (await registry.list()).find((p) => p.id === silent.id)!.startedAt
    const beat = await waitUntil(
      'a heartbeat later than the silent process started',
      async () => (await registry.list()).find((p) => p.id === beating.id && p.heartbeatAt > started)?.heartbeatAt,
      5000,
      20,
    )
    // As seen STALE_AFTER_MS after that beat: the beating process is still live, the silent one is not.
    const later = await registry.list({ now: Date.parse(beat) + STALE_AFTER_MS })
    assert.deepEqual(Object.fromEntries(later.map((p) => [p.id === beating.id ? 'beating' : 'silent', p.live])), {
      beating: true,
      silent: false,
    })
  })

  test('load reports replace the previous ones; generations of live workers and webs are kept from pruning', async (t) => {
    const b = await open(t)
    const worker = await registryOf(b, 'worker').register('worker', { heartbeatMs: HOUR })
    const web = await registryOf(b, 'web').register('web', { heartbeatMs: HOUR })
    const scheduler = await registryOf(b, 'scheduler').register('scheduler', { heartbeatMs: HOUR })
    const warning: Warning = {
      code: 'DEPRECATED_API',
      severity: 'warning',
      plugin: 'a',
      version: '1.0.0',
      message: 'ctx.old() is deprecated: "use" ctx.new()',
    }
    await worker.reportLoad([
      { plugin: 'a', version: '1.0.0', status: 'loaded', durationMs: 12.5, warnings: [warning] },
      { plugin: 'b', version: '2.0.0', status: 'failed', durationMs: null, warnings: [] },
    ])
    await worker.reportLoad([
      { plugin: 'a', version: '1.1.0', status: 'loaded', durationMs: 3, warnings: [] },
      { plugin: 'c', version: null, status: 'skipped', durationMs: null, warnings: [] },
      { plugin: 'c', version: null, status: 'unloaded', durationMs: null, warnings: [warning] },
    ])
    await web.reportLoad([{ plugin: 'a', version: '1.0.0', status: 'loaded', durationMs: 12.5, warnings: [warning] }])
    const reader = registryOf(b, 'web')
    const reports = await reader.loadReports()
    assert.deepEqual(
      reports
        .map((r) => [r.processId === worker.id ? 'worker' : 'web', r.plugin, r.version, r.status, r.durationMs, r.warnings])
        .sort((x, y) => `${x[0]}${x[1]}`.localeCompare(`${y[0]}${y[1]}`)),
      [
        ['web', 'a', '1.0.0', 'loaded', 12.5, [warning]],
        ['worker', 'a', '1.1.0', 'loaded', 3, []],
        ['worker', 'c', null, 'unloaded', null, [warning]],
      ],
      "the first report's b is gone; the last report of c wins",
    )
    assert.deepEqual((await reader.loadReports('a')).map((r) => r.version).sort(), ['1.0.0', '1.1.0'])
    for (const r of reports) assert.ok(!Number.isNaN(Date.parse(r.updatedAt)))
    await worker.setGeneration(4)
    await web.setGeneration(5)
    await scheduler.setGeneration(6)
    assert.deepEqual(liveGenerationsOf(await reader.list()).sort(), [4, 5], 'the scheduler runs no plugins from the cache')
    await web.stop()
    assert.deepEqual(liveGenerationsOf(await reader.list()), [4])
    await worker.reportLoad([])
    assert.deepEqual(await reader.loadReports('a'), [reports.find((r) => r.processId === web.id)], "an empty report clears the worker's")
    await worker.stop()
    await scheduler.stop()
  })
})

describe('database roles on PostgreSQL', () => {
  const open = useRuntimeBackend('postgres')

  test('pruning deletes processes stopped or silent since before the cutoff, with their load reports; live ones stay', async (t) => {
    const b = await open(t)
    const registry = registryOf(b, 'scheduler')
    const report = { plugin: 'a', version: '1.0.0', status: 'loaded' as const, durationMs: 1, warnings: [] }
    const stopped = await registryOf(b, 'worker').register('worker', { heartbeatMs: HOUR })
    await stopped.reportLoad([report])
    await stopped.stop()
    const crashed = await registryOf(b, 'worker').register('worker', { heartbeatMs: HOUR }) // never beats again, never stops
    await crashed.reportLoad([report])
    const live = await registryOf(b, 'web').register('web', { heartbeatMs: 20 })
    t.onTestFinished(() => live.stop())
    await live.reportLoad([report])

    assert.equal(await registry.prune(new Date(Date.now() - HOUR)), 0, 'nothing is older than the cutoff yet')
    await new Promise((r) => setTimeout(r, 80)) // the live one beats since; the others keep their old times
    assert.equal(await registry.prune(new Date(Date.now() - 40)), 2)
    assert.deepEqual(
      (await registry.list({ includeStopped: true })).map((p) => p.id),
      [live.id],
    )
    assert.deepEqual(
      (await registry.loadReports()).map((r) => r.processId),
      [live.id],
    )
  })

  test('the worker and web roles get a permission error (42501) writing plugins.*, while their runtime writes succeed', async (t) => {
    const b = await open(t)
    if (b.kind !== 'postgres') throw new Error('unreachable')
    // Each table of the store with a column an UPDATE may set (not an identity column).
    const { rows: tables } = await b.admin.query<{ t: string; c: string }>(
      `SELECT table_name AS t, min(column_name) AS c FROM information_schema.columns
      WHERE table_schema = 'plugins' AND is_identity = 'NO' GROUP BY table_name ORDER BY 1`,
    )
    assert.ok(tables.length >= 10, `the plugins schema holds the store's tables; found ${tables.map((r) => r.t)}`)
    for (const role of ['worker', 'web'] as const) {
      const pool: PgPool = b.pools[role]
      const writes = [
        "INSERT INTO plugins.meta (key, value) VALUES ('owner', 'me')",
        'CREATE TABLE plugins.mine (x INTEGER)',
        ...tables.flatMap(({ t, c }) => [`DELETE FROM plugins.${t}`, `UPDATE plugins.${t} SET ${c} = ${c}`, `TRUNCATE plugins.${t}`]),
      ]
      for (const sql of writes) {
        const error = await pool.query(sql).then(
          () => null,
          (e: unknown) => e,
        )
        assert.ok(error instanceof DatabaseError, `${role}: ${sql} should fail; it succeeded`)
        assert.equal(error.code, '42501', `${role}: ${sql}: ${error.message}`)
      }
      assert.equal((await pool.query('SELECT count(*)::int AS n FROM plugins.meta')).rows[0].n >= 0, true, 'reading plugins.* is allowed')
      const registry = createPostgresProcessRegistry(pool)
      const proc = await registry.register(role, { heartbeatMs: HOUR })
      await proc.reportLoad([{ plugin: 'a', version: '1.0.0', status: 'loaded', durationMs: 1, warnings: [] }])
      await proc.setGeneration(1)
      await proc.stop()
      assert.equal((await registry.list({ includeStopped: true })).find((p) => p.id === proc.id)?.generation, 1)
    }
  })
})
