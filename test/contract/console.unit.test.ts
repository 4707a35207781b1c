// The ConsoleStore port on both backends: what an operator does on the admin pages and the CLI (acknowledge a
// warning, ask for a disable, enable or rollback) and what the audit list then shows. PostgreSQL runs as the app
// roles that do it in production: the web role writes, the scheduler applies, a worker records failures.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, test } from 'vitest'
import type { StoredWarning } from '../../src/report/stored-warning.ts'
import { warningId } from '../../src/report/warning-id.ts'
import type { ConsoleStore } from '../../src/runtime/console-port.ts'
import { STALE_AFTER_MS } from '../../src/runtime/process-info.ts'
import { createSqliteProcessRegistry } from '../../src/runtime/process-registry.ts'
import type { ProcessRegistryPort } from '../../src/runtime/process-registry-port.ts'
import { createPostgresConsole } from '../../src/runtime/postgres-console.ts'
import { createPostgresProcessRegistry } from '../../src/runtime/postgres-process-registry.ts'
import { createPostgresRuntimeErrors } from '../../src/runtime/postgres-runtime-errors.ts'
import type { RuntimeErrors } from '../../src/runtime/runtime-errors-port.ts'
import { createSqliteConsole } from '../../src/runtime/sqlite-console.ts'
import { createSqliteRuntimeErrors } from '../../src/runtime/sqlite-runtime-errors.ts'
import { createPostgresSettingsStore } from '../../src/settings/postgres-settings-store.ts'
import type { SettingsPort } from '../../src/settings/settings-port.ts'
import { createSqliteSettingsStore } from '../../src/settings/settings-store.ts'
import { isAcknowledged } from '../../src/web/warning-query.ts'
import type { tempDir } from '../helpers/cli.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

type T = Parameters<typeof tempDir>[0]
interface Fixture {
  web: ConsoleStore
  /** A scheduler pass's store: on SQLite a new connection, on PostgreSQL the scheduler role's pool; two at once race. */
  scheduler(): Promise<ConsoleStore>
  worker: RuntimeErrors
  /** A worker's process registry and an operator's settings: what else the change token follows. */
  registry: ProcessRegistryPort
  settings: SettingsPort
}

function fixtureOf(b: RuntimeBackend): Fixture {
  if (b.kind === 'sqlite')
    return {
      web: createSqliteConsole(b.db),
      scheduler: async () => createSqliteConsole(b.open()),
      worker: createSqliteRuntimeErrors(b.open()),
      registry: createSqliteProcessRegistry(b.open()),
      settings: createSqliteSettingsStore(b.open()),
    }
  const { web, worker, scheduler } = b.pools
  return {
    web: createPostgresConsole(web),
    scheduler: async () => createPostgresConsole(scheduler),
    worker: createPostgresRuntimeErrors(worker),
    registry: createPostgresProcessRegistry(worker),
    settings: createPostgresSettingsStore(web),
  }
}

/** The warning the admin page shows for the worker's one recorded failure. */
async function shownWarning(worker: RuntimeErrors): Promise<StoredWarning> {
  const [r] = await worker.list()
  return { ...r!, code: 'RUNTIME_ERROR', severity: 'warning', version: r!.version || null, where: [r!.place], generation: 1 }
}

describe.each(BACKENDS)('console on %s', (kind) => {
  const open = useRuntimeBackend(kind)
  const setup = async (t: T) => fixtureOf(await open(t))

  test('an acknowledged warning leaves the open list until it recurs, and the audit list shows who and why', async (t) => {
    const f = await setup(t)
    const failure = { plugin: 'ops-banner', version: '1.0.0', message: 'run(ctx) threw Error: boom', where: 'worker@h:1' }
    await f.worker.record(failure)
    const warning = await shownWarning(f.worker)
    const id = warningId(warning)
    expect(isAcknowledged(warning, await f.web.acks.all())).toBeNull()

    await f.web.acks.ack({ warningId: id, plugin: 'ops-banner', code: 'RUNTIME_ERROR', note: 'upstream outage', by: 'Carol' })
    const ack = await f.web.acks.ack({ warningId: id, plugin: 'ops-banner', code: 'RUNTIME_ERROR', note: 'ticket OPS-12', by: 'Dave' })
    const acks = await f.web.acks.all()
    expect([...acks.values()]).toEqual([
      { warningId: id, plugin: 'ops-banner', code: 'RUNTIME_ERROR', note: 'ticket OPS-12', by: 'Dave', at: ack.at },
    ])
    expect(isAcknowledged(warning, acks)).toEqual(ack)
    const audit = await f.web.audit.list()
    expect(audit.entries.map((e) => [e.actor, e.action, e.plugin, e.detail, e.outcome])).toEqual([
      ['Dave', 'ack', 'ops-banner', `RUNTIME_ERROR (${id}): ticket OPS-12`, 'done'],
      ['Carol', 'ack', 'ops-banner', `RUNTIME_ERROR (${id}): upstream outage`, 'done'],
    ])

    await sleep(5)
    await f.worker.record(failure) // seen again after the acknowledgement: open again
    const again = await shownWarning(f.worker)
    expect(warningId(again)).toBe(id)
    expect(isAcknowledged(again, await f.web.acks.all())).toBeNull()
  })

  test('requests go from pending to done or failed with generation and message, and their audit entries follow', async (t) => {
    const f = await setup(t)
    const disable = await f.web.requests.request({ plugin: 'alpha', action: 'disable', by: 'Carol' })
    const rollback = await f.web.requests.request({ plugin: 'beta', action: 'rollback', version: '0.9.0', by: 'Dave' })
    expect(disable).toMatchObject({
      plugin: 'alpha',
      action: 'disable',
      version: null,
      requestedBy: 'Carol',
      status: 'pending',
      generation: null,
    })
    expect(rollback.id).toBeGreaterThan(disable.id)
    expect(await f.web.requests.hasPending()).toBe(true)
    expect((await f.web.requests.pending()).map((r) => r.id)).toEqual([disable.id, rollback.id])
    expect((await f.web.audit.list()).entries.map((e) => [e.action, e.detail, e.outcome, e.requestId])).toEqual([
      ['rollback', 'version 0.9.0', 'pending', rollback.id],
      ['disable', null, 'pending', disable.id],
    ])

    const scheduler = await f.scheduler()
    const finished = await scheduler.requests.applyPending(async (r) =>
      r.action === 'disable'
        ? { status: 'done', generation: 7, message: `disabled ${r.plugin} 1.0.0: generation 7 leaves it out` }
        : { status: 'failed', message: `${r.plugin} 0.9.0 is not kept in the store` },
    )
    expect(finished.map((r) => [r.id, r.status, r.generation, r.message])).toEqual([
      [disable.id, 'done', 7, 'disabled alpha 1.0.0: generation 7 leaves it out'],
      [rollback.id, 'failed', null, 'beta 0.9.0 is not kept in the store'],
    ])
    const done = (await f.web.requests.get(disable.id))!
    expect(done).toEqual(finished[0])
    expect(done.finishedAt! >= done.requestedAt).toBe(true)
    expect(await f.web.requests.get(rollback.id + 100)).toBeNull()
    expect(await f.web.requests.hasPending()).toBe(false)
    expect(await f.web.requests.pending()).toEqual([])
    expect((await f.web.requests.forPlugin('alpha')).map((r) => r.status)).toEqual(['done'])
    expect((await f.web.audit.list()).entries.map((e) => [e.actor, e.action, e.outcome, e.message])).toEqual([
      ['Dave', 'rollback', 'failed', 'beta 0.9.0 is not kept in the store'],
      ['Carol', 'disable', 'done', 'disabled alpha 1.0.0: generation 7 leaves it out'],
    ])
  })

  test('a request not ready yet, or whose apply throws, stays pending for a later pass', async (t) => {
    const f = await setup(t)
    const enable = await f.web.requests.request({ plugin: 'alpha', action: 'enable', by: 'Carol' })
    const scheduler = await f.scheduler()
    expect(await scheduler.requests.applyPending(async () => null)).toEqual([]) // files still settling
    await expect(
      scheduler.requests.applyPending(async () => {
        throw new Error('store went away')
      }),
    ).rejects.toThrow('store went away')
    expect((await f.web.requests.get(enable.id))!.status).toBe('pending')
    expect((await f.web.audit.list({ plugin: 'alpha' })).entries.map((e) => e.outcome)).toEqual(['pending'])
    const [done] = await scheduler.requests.applyPending(async () => ({ status: 'done', generation: 3, message: 'enabled alpha' }))
    expect(done).toMatchObject({ id: enable.id, status: 'done', generation: 3 })
  })

  test('two scheduler passes that race apply each request exactly once', async (t) => {
    const f = await setup(t)
    const ids = []
    for (let i = 0; i < 6; i++) ids.push((await f.web.requests.request({ plugin: `p${i}`, action: 'disable', by: 'Carol' })).id)
    const applied: number[] = []
    const pass = async (scheduler: ConsoleStore) =>
      scheduler.requests.applyPending(async (r) => {
        applied.push(r.id)
        await sleep(20) // a publish takes a while: the other pass runs meanwhile
        return { status: 'done', generation: r.id, message: `disabled ${r.plugin}` }
      })
    const [a, b] = await Promise.all([pass(await f.scheduler()), pass(await f.scheduler())])
    expect(applied.sort((x, y) => x - y)).toEqual(ids)
    expect([...a, ...b].map((r) => r.id).sort((x, y) => x - y)).toEqual(ids)
    expect(a.length && b.length, 'both passes took part').toBeTruthy()
    expect(await f.web.requests.hasPending()).toBe(false)
  })

  test('the audit list pages newest first and narrows to one plugin', async (t) => {
    const f = await setup(t)
    for (let i = 0; i < 5; i++)
      await f.web.audit.record({
        actor: 'Carol',
        action: 'settings',
        plugin: i % 2 ? 'beta' : 'alpha',
        detail: `set key${i}`,
        outcome: 'done',
      })
    const failed = await f.web.audit.record({
      actor: 'Dave',
      action: 'event.retry',
      detail: 'event 9',
      outcome: 'failed',
      message: 'no event with id 9',
    })
    const all = await f.web.audit.list({ limit: 2 })
    expect(all.total).toBe(6)
    expect(all.entries.map((e) => [e.id, e.action, e.plugin, e.outcome, e.message, e.requestId])).toEqual([
      [failed, 'event.retry', null, 'failed', 'no event with id 9', null],
      [failed - 1, 'settings', 'alpha', 'done', null, null],
    ])
    expect(all.entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/)
    const beta = await f.web.audit.list({ plugin: 'beta', limit: 1, offset: 1 })
    expect([beta.total, beta.entries.map((e) => e.detail)]).toEqual([2, ['set key1']])
  })

  test("the change token moves with everything the console shows, and not with a process's heartbeats", async (t) => {
    const f = await setup(t)
    let last = await f.web.changeToken()
    const moved = async (what: string) => {
      const now = await f.web.changeToken()
      expect(now, `${what}: the token moved`).not.toBe(last)
      last = now
    }
    expect(await f.web.changeToken(), 'nothing happened').toBe(last)
    const worker = await f.registry.register('worker', { heartbeatMs: 5 })
    t.onTestFinished(() => worker.stop())
    await moved('a worker started')
    await worker.setGeneration(2)
    await moved('it loaded generation 2')
    await sleep(40)
    expect(await f.web.changeToken(), 'heartbeats alone').toBe(last)
    expect(await f.web.changeToken(Date.now() + STALE_AFTER_MS + 1000), 'the worker gone silent').not.toBe(last)
    await worker.reportLoad([{ plugin: 'alpha', version: '1.0.0', status: 'loaded', durationMs: 3, warnings: [] }])
    await moved('a load report')
    const failure = { plugin: 'alpha', version: '1.0.0', message: 'run(ctx) threw Error: boom', where: 'worker@h:1' }
    await f.worker.record(failure)
    await moved('a run-time error')
    await f.worker.record(failure)
    await moved('the same error counted again')
    await f.settings.write('alpha', [{ key: 'region', value: 'eu-west-1' }])
    await moved('a setting')
    await f.web.acks.ack({ warningId: 'w1', plugin: 'alpha', code: 'RUNTIME_ERROR', note: 'known', by: 'Carol' })
    await moved('an acknowledgement')
    await f.web.requests.request({ plugin: 'alpha', action: 'disable', by: 'Carol' })
    await moved('a request')
    await (await f.scheduler()).requests.applyPending(async () => ({ status: 'done', generation: 3, message: 'disabled alpha' }))
    await moved('the request done')
    await f.web.audit.record({ actor: 'Carol', action: 'event.retry', detail: 'event 1', outcome: 'done' })
    expect(await f.web.changeToken(), 'the audit list is not on the pages it marks').toBe(last)
    await worker.stop()
    await moved('the worker stopped')
  })
})
