// The seed's flow on PostgreSQL across "hosts": a scheduler, two workers and a web server, each with its own
// data dir (they share no file), all on one database; the bot schedules start_resource events and one of the
// workers runs each of them once.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli.ts'
import { copySamplePlugins } from '../events/fixtures/jobs-plugin.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { SEED_BOT } from '../helpers/seed-bot.ts'
import { waitUntil } from '../helpers/wait-until.ts'

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
beforeAll(async () => {
  db = await createInitializedDatabase()
})
afterAll(async () => db?.drop())

test('bot -> events -> workers on PostgreSQL, with a scheduler, two workers and a web role on separate data dirs', async (t) => {
  const root = tempDir(t)
  copySamplePlugins(join(root, 'plugins'), ['instance-type-blacklist', 'start-resource-later'])
  const dir = (name: string) => {
    mkdirSync(join(root, name))
    return name
  }
  const role = (name: string, url: string, ...args: string[]) => {
    const p = startCli([`--role=${name}`, '--data-dir', dir(`${name}-${args.length}-${Math.random().toString(36).slice(2, 6)}`), ...args], {
      cwd: root,
      env: { APP_SETTLE_MS: '0', APP_DATABASE_URL: url },
    })
    t.onTestFinished(async () => {
      await p.stop('SIGKILL')
    })
    return p
  }
  const scheduler = role('scheduler', db.urls.scheduler, '--plugins-dir', 'plugins')
  await scheduler.waitFor(/scheduler started/, 60_000)
  const workers = [role('worker', db.urls.worker), role('worker', db.urls.worker)]
  for (const w of workers) await w.waitFor(/handlers ready/, 60_000)
  const web = role('web', db.urls.web, '--port', '0')
  const [, url] = (await web.waitFor(/web listening on (http:\/\/\S+?)"/, 60_000)) as RegExpExecArray
  await web.waitFor(/web ready/, 60_000)

  const cliDir = dir('cli')
  const app = (url: string, ...args: string[]) => runCli([...args, '--data-dir', cliDir], { cwd: root, env: { APP_DATABASE_URL: url } })
  const imported = await app(db.urls.worker, 'resources', 'import', join(ROOT, 'examples/resources.json'))
  expect(imported.stderr).toBe('')
  expect(imported.code).toBe(0)
  writeFileSync(join(root, 'bots.json'), JSON.stringify([SEED_BOT]))
  const applied = await app(db.urls.worker, 'bots', 'apply', 'bots.json')
  expect(applied.code).toBe(0)
  expect(applied.stderr).not.toMatch(/not registered/)

  const states = async () =>
    Object.fromEntries(
      (JSON.parse((await app(db.urls.web, 'resources', 'list', '--json')).stdout).resources as Array<{ id: string; state: string }>).map(
        (r) => [r.id, r.state],
      ),
    )
  await waitUntil('the stopped instances to be running', async () => {
    const s = await states()
    return s['i-0a1'] === 'running' && s['i-0b7'] === 'running' ? s : null
  })
  expect((await states())['db-01']).toBe('stopped')
  type Event = { resource: string; status: string; attempts: number }
  const listEvents = async () =>
    JSON.parse((await app(db.urls.web, 'events', 'list', '--type', 'custom.start_resource', '--json')).stdout).events as Event[]
  // A run just before an instance started may have scheduled one more event: wait for the queue to drain.
  const events = await waitUntil('every start_resource event to finish', async () => {
    const list = await listEvents()
    return list.every((e) => e.status !== 'pending' && e.status !== 'running') ? list : null
  })
  const started = events.filter((e) => e.resource === 'i-0a1' || e.resource === 'i-0b7')
  expect(new Set(started.map((e) => e.resource))).toEqual(new Set(['i-0a1', 'i-0b7']))
  for (const e of started) expect(e).toMatchObject({ status: 'done', attempts: 1 })
  expect(workers.map((w) => w.output()).join('')).toMatch(/started resource/)

  // The web role reads the same database: its readiness and the plugins of generation 1.
  expect((await fetch(`${url}/readyz`)).status).toBe(200)
})
