// The runtime commands (`app resources`, `bots`, `events`, `plugins settings`, `plugins storage`) on PostgreSQL
// (DESIGN section 12): APP_DATABASE_URL set, they read and write the `runtime` schema (and read `plugins`) as
// each app role's user, and leave no SQLite file behind. The plugin store comes from an SQLite install moved in
// with `app db migrate --from-sqlite`, so `bots apply` checks ids against what the sample plugins registered.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, test } from 'vitest'
import { openPostgresRuntimeBackend } from '../../src/backend/postgres-runtime-backend.ts'
import { manifest, ROOT, runCli, writePlugin } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { publishInProcess } from '../helpers/publish.ts'
import { SEED_BOT } from '../helpers/seed-bot.ts'

const SETTINGS = [
  { name: 'webhookUrl', type: 'string', required: true, description: 'where notifications go' },
  { name: 'level', type: 'choice', choices: ['low', 'high'], default: 'high' },
]

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
let root: string
/** Where the commands run: no data directory, and none may appear. */
let cwd: string

beforeAll(async () => {
  db = await createInitializedDatabase()
  root = mkdtempSync(join(tmpdir(), 'app-pg-cli-'))
  cwd = join(root, 'work')
  mkdirSync(cwd)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  writePlugin(join(root, 'plugins'), 'notifier', manifest('notifier', { settings: SETTINGS }), {
    'index.js': 'export function load() {}\n',
  })
  cpSync(join(ROOT, 'examples/resources.json'), join(cwd, 'resources.json'))
  await publishInProcess(join(root, 'data'), join(root, 'plugins'))
  const moved = await runCli(['db', 'migrate', '--from-sqlite', join(root, 'data')], { env: { APP_DATABASE_URL: db.urls.scheduler } })
  assert.equal(moved.code, 0, moved.stderr)
}, 120_000)

afterAll(async () => {
  await db?.drop()
  if (root) rmSync(root, { recursive: true, force: true })
})

type Role = 'scheduler' | 'worker' | 'web'
const app = (role: Role, ...args: string[]) => runCli(args, { cwd, env: { APP_DATABASE_URL: db.urls[role] } })
const json = async (role: Role, ...args: string[]) => {
  const r = await app(role, ...args, '--json')
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('resources import lands in PostgreSQL and resources list shows it to the worker; no SQLite file is made', async () => {
  const imported = await app('web', 'resources', 'import', 'resources.json')
  assert.equal(imported.code, 0, imported.stderr)
  assert.match(imported.stdout, /^imported 4 of 4 resource\(s\): 4 created, 0 changed, 0 unchanged\n$/)
  const list = (await json('worker', 'resources', 'list', '--type', 'instance', '--state', 'stopped')).resources as Array<{
    id: string
    tags: object
  }>
  assert.deepEqual(
    list.map((r) => [r.id, r.tags]),
    [
      ['i-0a1', { env: 'prod' }],
      ['i-0b7', { env: 'dev' }],
    ],
  )
  const again = await app('web', 'resources', 'import', 'resources.json')
  assert.match(again.stdout, /0 created, 0 changed, 4 unchanged/)
  assert.ok(!existsSync(join(cwd, 'data')), 'no SQLite data directory')
})

test('bots apply checks ids against the plugins in the PostgreSQL store; bots run and events list, show, cancel, retry', async () => {
  const typo = { ...SEED_BOT, name: 'typo', filters: [{ queryId: 'custom.filter.stoped', settings: {} }], schedule: null }
  writeFileSync(join(cwd, 'bots.json'), JSON.stringify([SEED_BOT, typo]))
  const applied = await app('web', 'bots', 'apply', 'bots.json')
  assert.equal(applied.code, 0, applied.stderr)
  assert.match(applied.stdout, /^applied 2 bot\(s\): 2 created, 0 updated\n$/)
  // Checked, not skipped: the typo is named, and no "ids were not checked" note.
  assert.match(applied.stderr, /app: warning: .*custom\.filter\.stoped/)
  assert.doesNotMatch(applied.stderr, /not checked/)
  assert.deepEqual(
    (await json('worker', 'bots', 'list')).bots.map((b: { name: string; schedule: unknown }) => [b.name, b.schedule]),
    [
      ['start-stopped-prod', { intervalSeconds: 1 }],
      ['typo', null],
    ],
  )
  const schedules = (await json('web', 'events', 'list', '--schedules')).schedules as Array<{ kind: string; id: string }>
  assert.equal(schedules.length, 1)
  assert.match(JSON.stringify(schedules[0]), /start-stopped-prod/)

  const queued = await json('web', 'bots', 'run', 'start-stopped-prod')
  assert.deepEqual([queued.eventType, queued.status, queued.bot], ['app.bot_run', 'pending', 'start-stopped-prod'])
  const list = await json('worker', 'events', 'list')
  assert.equal(list.counts.pending, 1)
  assert.deepEqual(
    list.events.map((e: { id: number; bot: string }) => [e.id, e.bot]),
    [[queued.id, 'start-stopped-prod']],
  )
  const shown = await app('web', 'events', 'show', String(queued.id))
  assert.match(shown.stdout, /^status:\s+pending$/m)
  const cancelled = await app('web', 'events', 'cancel', String(queued.id))
  assert.equal(cancelled.code, 0, cancelled.stderr)
  assert.equal(cancelled.stdout, `event ${queued.id} (app.bot_run) is cancelled\n`)
  assert.equal((await json('web', 'events', 'list', '--status', 'cancelled')).events.length, 1)
  const retried = await app('web', 'events', 'retry', String(queued.id))
  assert.equal(retried.stdout, `event ${queued.id} (app.bot_run) is pending again; a worker that has the type will run it\n`)
  const unknown = await app('web', 'events', 'show', '999')
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /no event with id 999/)
  assert.ok(!existsSync(join(cwd, 'data')), 'no SQLite data directory')
})

test('plugins settings sets values in PostgreSQL and reads them back; plugins storage lists and clears what a plugin keeps', async () => {
  const before = await json('web', 'plugins', 'settings', 'notifier')
  assert.deepEqual(before.missing, ['webhookUrl'])
  const rejected = await app('web', 'plugins', 'settings', 'notifier', 'set', 'webhookUrl=https://hooks.example/x', 'level=medium')
  assert.equal(rejected.code, 2)
  assert.match(rejected.stderr, /level: expected one of low, high; found "medium"/)
  const set = await app('web', 'plugins', 'settings', 'notifier', 'set', 'webhookUrl=https://hooks.example/x', 'level=low')
  assert.equal(set.code, 0, set.stderr)
  assert.match(set.stdout, /^notifier: set webhookUrl, level; running roles read the new values at once\n/)
  const after = await json('worker', 'plugins', 'settings', 'notifier')
  assert.deepEqual(
    after.settings.map((s: { name: string; value: unknown; source: string }) => [s.name, s.value, s.source]),
    [
      ['webhookUrl', 'https://hooks.example/x', 'set'],
      ['level', 'low', 'set'],
    ],
  )
  assert.deepEqual([after.missing, after.fix], [[], null])
  const missing = await app('web', 'plugins', 'settings', 'nope')
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no plugin named "nope" in generation 1; plugins: .*notifier/)

  // What a plugin on a worker keeps with `storage`.
  const runtime = await openPostgresRuntimeBackend(db.urls.worker, 'test')
  try {
    const storage = runtime.storage(1 << 20)
    await storage.set('notifier', 'cursor', { page: 3 })
    await storage.set('notifier', 'seq-token', 'abc', { ttlMs: 3600e3 })
    await storage.set('other', 'k', 1)
    const listed = await app('web', 'plugins', 'storage', 'notifier')
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(
      listed.stdout,
      /^KEY\s+BYTES\s+EXPIRES\s+UPDATED\s+VALUE\ncursor\s+16\s+-\s+\S+\s+\{"page":3\}\nseq-token\s+14\s+\d{4}-\S+\s+\S+\s+"abc"\n\n2 key\(s\), 30 of 10485760 bytes/,
    )
    const cleared = await app('web', 'plugins', 'storage', 'notifier', '--clear')
    assert.equal(cleared.stdout, 'cleared 2 key(s) (30 bytes) of plugin "notifier"\n')
    assert.match((await app('worker', 'plugins', 'storage', 'notifier')).stdout, /^plugin "notifier" stores nothing/)
    assert.equal(await storage.get('other', 'k'), 1, 'other plugins keep theirs')
  } finally {
    await runtime.close()
  }
  assert.ok(!existsSync(join(cwd, 'data')), 'no SQLite data directory')
})
