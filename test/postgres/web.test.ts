// `--role=web` on PostgreSQL: the repo's plugins published into an SQLite data dir and moved over with
// `app db migrate --from-sqlite`, then a web server on the web role's connection with an empty data dir of its
// own. An operator signs in and works the console: the plugins are listed, a run-time failure a worker records
// shows on the next request, an acknowledgement with a note hides it, a Disable is queued for the scheduler and
// audited, a failed event is listed and retried; and `app plugins list` reads the same database.
import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openPostgresRuntimeBackend } from '../../src/backend/postgres-runtime-backend.ts'
import { openPostgres, type PgPool } from '../../src/postgres/open-postgres.ts'
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { publishInProcess } from '../helpers/publish.ts'

const TOKEN = 'postgres-web-test-token-0123456789abcdef'
const LANDING = 'settings/integrations/plugins'
const LISTENING = /^.*"msg":"web listening.*$/m

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
let admin: PgPool
beforeAll(async () => {
  db = await createInitializedDatabase()
  admin = await openPostgres(db.adminUrl, { applicationName: 'web test admin', max: 2 })
})
afterAll(async () => {
  await admin?.end()
  await db?.drop()
})

type Warning = { id: string; message: string; plugin: string | null; state: string; acknowledgement: { note: string; by: string } | null }

/** A browser's session: the sign-in form (its CSRF cookie and field), then the session cookie on every request. */
async function signIn(url: string, name: string) {
  const form = await fetch(`${url}login`)
  const csrf = /app_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1]!
  const res = await fetch(`${url}login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: `app_login_csrf=${csrf}` },
    body: new URLSearchParams({ token: TOKEN, csrf, name, next: `/${LANDING}` }),
  })
  expect(res.status).toBe(303)
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('app_session='))!
    .split(';')[0]!
  const get = (path: string) => fetch(`${url}${path}`, { headers: { Cookie: cookie }, redirect: 'manual' })
  return {
    get,
    async page(path: string) {
      const r = await get(path)
      const body = await r.text()
      expect(r.status, `${path}: ${body.slice(0, 300)}`).toBe(200)
      return body
    },
    async json<T>(path: string): Promise<T> {
      const r = await get(path)
      expect(r.status, path).toBe(200)
      return (await r.json()) as T
    },
    /** A form of the page `from`, posted with the session's CSRF token the page carries. */
    async post(from: string, action: string, fields: Record<string, string> = {}) {
      const csrf = /name="csrf" value="([^"]+)"/.exec(await this.page(from))![1]!
      return fetch(`${url}${action}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: cookie },
        body: new URLSearchParams({ csrf, ...fields }),
      })
    },
  }
}

test("an operator works the web console on PostgreSQL; the CLI's reports read the same database", async (t) => {
  const root = tempDir(t)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  await publishInProcess(join(root, 'sqlite'), join(root, 'plugins'))
  const moved = await runCli(['db', 'migrate', '--from-sqlite', join(root, 'sqlite')], { env: { APP_DATABASE_URL: db.urls.scheduler } })
  expect(moved.stderr).toBe('')
  expect(moved.code).toBe(0)

  const web = startCli(['--role=web', '--port', '0', '--data-dir', join(root, 'web')], {
    cwd: root,
    env: { APP_DATABASE_URL: db.urls.web, APP_ADMIN_TOKEN: TOKEN },
  })
  t.onTestFinished(async () => {
    await web.stop('SIGKILL')
  })
  const url = (JSON.parse((await web.waitFor(LISTENING, 60_000))[0]) as { url: string }).url
  await web.waitFor(/"msg":"web ready"/, 60_000)
  for (const file of ['plugins.db', 'runtime.db'])
    expect(existsSync(join(root, 'web', file)), `the web's data dir holds ${file}`).toBe(false)
  const carol = await signIn(url, 'Carol')

  // The landing page lists every plugin of the migrated generation.
  const landing = await carol.page(LANDING)
  for (const name of ['instance-type-blacklist', 'ops-banner', 'start-resource-later']) expect(landing).toContain(`data-plugin="${name}"`)
  const { plugins } = await carol.json<{ plugins: Array<{ name: string; version: string }> }>('api/v1/plugins')
  const banner = plugins.find((p) => p.name === 'ops-banner')!

  // A worker records a run-time failure: the very next request of the (cached) API and page shows it.
  await carol.json('api/v1/warnings')
  const worker = await openPostgresRuntimeBackend(db.urls.worker, 'test worker')
  t.onTestFinished(() => worker.close())
  const message = 'status route failed: upstream timed out'
  expect(
    await worker.errors.record({ plugin: 'ops-banner', version: banner.version, message, detail: 'Error: boom', where: 'worker@test:1' }),
  ).toBe(true)
  const open = await carol.json<{ warnings: Warning[] }>('api/v1/warnings?plugin=ops-banner')
  const failure = open.warnings.find((w) => w.message === message)
  expect(failure, 'the recorded failure is an open warning').toMatchObject({ plugin: 'ops-banner', state: 'open' })
  expect(await carol.page(LANDING)).toContain(message)

  // Acknowledged with a note: gone from the open view, kept (with who and why) in the full one.
  const ack = await carol.post(LANDING, `${LANDING}/ops-banner/warnings/${failure!.id}/ack`, { note: 'upstream outage, ticket OPS-7' })
  expect(ack.status).toBe(303)
  expect((await carol.json<{ warnings: Warning[] }>('api/v1/warnings')).warnings.map((w) => w.id)).not.toContain(failure!.id)
  const all = await carol.json<{ warnings: Warning[] }>('api/v1/warnings?state=all')
  expect(all.warnings.find((w) => w.id === failure!.id)).toMatchObject({
    state: 'acknowledged',
    acknowledgement: { note: 'upstream outage, ticket OPS-7', by: 'Carol' },
  })
  expect(await carol.page(LANDING)).not.toContain(message)

  // Disable from the Action menu: a pending request for the scheduler, and an audit entry.
  const disable = await carol.post(LANDING, `${LANDING}/start-resource-later/disable`)
  expect(disable.status).toBe(303)
  expect(disable.headers.get('location')).toBe(`/${LANDING}/start-resource-later#actions`)
  const { rows } = await admin.query('SELECT plugin, action, requested_by, status FROM runtime.plugin_requests')
  expect(rows).toEqual([{ plugin: 'start-resource-later', action: 'disable', requested_by: 'Carol', status: 'pending' }])
  const audit = await carol.json<{ entries: Array<{ actor: string; action: string; plugin: string; outcome: string }> }>('api/v1/audit')
  expect(audit.entries.map((e) => [e.actor, e.action, e.plugin, e.outcome])).toEqual([
    ['Carol', 'disable', 'start-resource-later', 'pending'],
    ['Carol', 'ack', 'ops-banner', 'done'],
  ])
  expect(await carol.page(`${LANDING}/start-resource-later`)).toMatch(/pending/)

  // A failed event is listed (and offered as a filter) and retried.
  const scheduler = await openPostgresRuntimeBackend(db.urls.scheduler, 'test scheduler')
  t.onTestFinished(() => scheduler.close())
  await scheduler.jobs.enqueue([{ eventType: 'ops.report', runAt: Date.now(), owner: 'ops-banner', description: 'nightly report' }])
  const [job] = await scheduler.jobs.admin.list()
  await admin.query(`UPDATE runtime.jobs SET status = 'failed', attempts = 5, finished_at = $2 WHERE id = $1`, [job!.id, Date.now()])
  const events = await carol.page('settings/events?status=failed')
  expect(events).toContain(`<tr data-event="${job!.id}" data-status="failed">`)
  expect(events).toMatch(/<option[^>]*>ops\.report<\/option>/)
  const retry = await carol.post('settings/events', `settings/events/${job!.id}/retry`, { next: '/settings/events' })
  expect(retry.status).toBe(303)
  expect(await scheduler.jobs.admin.get(job!.id)).toMatchObject({ status: 'pending', attempts: 0 })
  expect(await carol.page('settings/events')).toContain(`<tr data-event="${job!.id}" data-status="pending">`)
  expect((await carol.json<{ entries: Array<{ action: string; outcome: string }> }>('api/v1/audit')).entries[0]).toMatchObject({
    action: 'event.retry',
    outcome: 'done',
  })

  // The CLI's reports on the web role's connection: the same plugins, and the failure among the warnings.
  const cli = (args: string[]) => runCli([...args, '--data-dir', join(root, 'cli')], { cwd: root, env: { APP_DATABASE_URL: db.urls.web } })
  const list = await cli(['plugins', 'list', '--json'])
  expect(list.stderr).toBe('')
  expect(list.code).toBe(0)
  expect((JSON.parse(list.stdout) as { plugins: Array<{ name: string }> }).plugins.map((p) => p.name)).toEqual([
    'instance-type-blacklist',
    'ops-banner',
    'start-resource-later',
  ])
  const warnings = JSON.parse((await cli(['plugins', 'warnings', '--json'])).stdout) as { warnings: Array<{ message: string }> }
  expect(warnings.warnings.map((w) => w.message)).toContain(message)
  const show = JSON.parse((await cli(['plugins', 'show', 'ops-banner', '--json'])).stdout) as {
    name: string
    processes: Array<{ role: string }>
  }
  expect(show.name).toBe('ops-banner')
  expect(show.processes.map((p) => p.role)).toEqual(['web'])
  expect(existsSync(join(root, 'cli', 'runtime.db')), 'the CLI wrote no runtime.db').toBe(false)
  expect(await web.stop()).toBe(0)
})
