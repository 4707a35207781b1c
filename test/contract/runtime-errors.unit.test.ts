// The RuntimeErrors port on both backends: the failures of plugin code that `app plugins warnings`, the API and
// the admin page show, counted per distinct failure however many processes record them at once. PostgreSQL runs
// as the app roles that do it in production: workers record, the scheduler prunes.
import { describe, expect, test } from 'vitest'
import { createPostgresRuntimeErrors } from '../../src/runtime/postgres-runtime-errors.ts'
import { MAX_DISTINCT_RUNTIME_ERRORS, type RuntimeErrorEntry } from '../../src/runtime/record-runtime-error.ts'
import type { RuntimeErrors } from '../../src/runtime/runtime-errors-port.ts'
import { createSqliteRuntimeErrors } from '../../src/runtime/sqlite-runtime-errors.ts'
import type { tempDir } from '../helpers/cli.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

type T = Parameters<typeof tempDir>[0]
interface Fixture {
  /** A worker process's recorder: on SQLite its own connection, on PostgreSQL the worker role's pool (several at once run side by side). */
  recorder(): Promise<RuntimeErrors>
  scheduler: RuntimeErrors
}

function fixtureOf(b: RuntimeBackend): Fixture {
  if (b.kind === 'sqlite') return { recorder: async () => createSqliteRuntimeErrors(b.open()), scheduler: createSqliteRuntimeErrors(b.db) }
  return { recorder: async () => createPostgresRuntimeErrors(b.pools.worker), scheduler: createPostgresRuntimeErrors(b.pools.scheduler) }
}

const stack = `    at run (file:///srv/app/data/cache/${'a'.repeat(64)}/index.js:3:9)`
const failure = (over: Partial<RuntimeErrorEntry> = {}): RuntimeErrorEntry => ({
  plugin: 'ops-banner',
  version: '1.0.0',
  message: 'event type "ops.refresh": run(ctx) threw Error: boom',
  where: 'worker@host-a:11',
  ...over,
})

describe.each(BACKENDS)('runtime errors on %s', (kind) => {
  const open = useRuntimeBackend(kind)
  const setup = async (t: T) => fixtureOf(await open(t))

  test('repeats of one failure count up one row: first and last seen, the latest stack and place', async (t) => {
    const f = await setup(t)
    const worker = await f.recorder()
    expect(await worker.record(failure({ at: new Date('2030-01-01T10:00:00.000Z'), detail: `Error: boom\n${stack}` }))).toBe(true)
    await worker.record(failure({ at: new Date('2030-01-01T12:00:00.000Z'), where: 'worker@host-b:22', detail: `Error: bang\n${stack}` }))
    // A late writer's older time does not move last seen back.
    await worker.record(failure({ at: new Date('2030-01-01T11:00:00.000Z'), where: 'worker@host-c:33', detail: `Error: late\n${stack}` }))
    await worker.record(failure({ version: null, message: 'its handler thread crashed (exit code 7)' }))
    const rows = await f.scheduler.list()
    expect(rows).toHaveLength(2)
    const boom = rows.find((r) => r.message === failure().message)!
    expect(boom).toMatchObject({
      plugin: 'ops-banner',
      version: '1.0.0',
      code: 'RUNTIME_ERROR',
      count: 3,
      firstSeen: '2030-01-01T10:00:00.000Z',
      lastSeen: '2030-01-01T12:00:00.000Z',
      place: 'worker@host-c:33',
    })
    expect(boom.detail).toBe('Error: late\n    at run (ops-banner/index.js:3:9)')
    expect(rows.find((r) => r.message.startsWith('its handler'))).toMatchObject({ version: '', count: 1, detail: null })
    expect(rows[0]!.lastSeen >= rows[1]!.lastSeen).toBe(true)
    expect(await f.scheduler.list(1)).toHaveLength(1)
  })

  test('recorders in several processes at once count up one row, losing no count', async (t) => {
    const f = await setup(t)
    const workers = await Promise.all([1, 2, 3, 4].map(() => f.recorder()))
    const results = await Promise.all(
      workers.flatMap((w, i) => Array.from({ length: 25 }, () => w.record(failure({ where: `worker@host:${i}` })))),
    )
    expect(results.every(Boolean)).toBe(true)
    const rows = await f.scheduler.list()
    expect(rows.map((r) => [r.message, r.count])).toEqual([[failure().message, 100]])
  })

  test('past the distinct limit, new failures count on one overflow row that holds the latest', async (t) => {
    const f = await setup(t)
    const worker = await f.recorder()
    const job = (i: number) => failure({ message: `run(ctx) threw Error: job ${i} failed`, detail: `Error\n${stack}` })
    for (let i = 0; i < MAX_DISTINCT_RUNTIME_ERRORS + 3; i++) await worker.record(job(i))
    await worker.record(job(0)) // a failure it already counts keeps its own row
    await worker.record(failure({ version: '2.0.0', message: 'another version has a limit of its own' }))
    const rows = await f.scheduler.list()
    const own = rows.filter((r) => r.version === '1.0.0')
    expect(own).toHaveLength(MAX_DISTINCT_RUNTIME_ERRORS + 1)
    const overflow = own.find((r) => r.message.startsWith('more than'))!
    expect(overflow.message).toMatch(/^more than 50 distinct run-time failures of ops-banner 1\.0\.0/)
    expect(overflow.count).toBe(3)
    expect(overflow.detail).toBe(`run(ctx) threw Error: job 52 failed\nError\n    at run (ops-banner/index.js:3:9)`)
    expect(own.find((r) => r.message.endsWith('job 0 failed'))!.count).toBe(2)
    expect(rows.filter((r) => r.version === '2.0.0')).toHaveLength(1)
  })

  test('the scheduler prunes the rows not seen since the cutoff and keeps the rest', async (t) => {
    const f = await setup(t)
    const worker = await f.recorder()
    await worker.record(failure({ message: 'old', at: new Date('2030-01-01T00:00:00.000Z') }))
    await worker.record(failure({ message: 'seen again', at: new Date('2030-01-01T00:00:00.000Z') }))
    await worker.record(failure({ message: 'seen again', at: new Date('2030-03-01T00:00:00.000Z') }))
    await worker.record(failure({ message: 'new', at: new Date('2030-03-01T00:00:00.000Z') }))
    expect(await f.scheduler.prune(new Date('2030-02-01T00:00:00.000Z'))).toBe(1)
    expect((await f.scheduler.list()).map((r) => r.message).sort()).toEqual(['new', 'seen again'])
    expect(await f.scheduler.prune(new Date('2030-02-01T00:00:00.000Z'))).toBe(0)
  })
})
