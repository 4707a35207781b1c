// long file: one install of four ported plugins shared by every check, so the roles start once.
// Four plugins ported from real DivvyCloud / InsightCloudSec ones (test/fixtures/ported), each using only the
// SDK (DESIGN section 5b), run end to end by one install: a real scheduler, two workers and a web process
// started from the CLI, against a stub of their outside services (test/ported/stub-services.ts). The checks
// share the roles: each counts from where the previous one left off.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, test } from 'vitest'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { overlapping } from '../events/kill-experiment.ts'
import { ROOT, runCli, startCli, type RunningRole } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { startStubServices, type StubServices } from './stub-services.ts'

const PLUGINS = ['queue-publisher', 'xray-harvester', 'state-notifier', 'jira-ticketer']
const HARVEST_MS = 1000 // the harvester's Schedule.interval({ seconds: 1 })
const HARVEST = 'app.job:xray-harvester:harvest'
const NOTIFY = 'app.hook:state-notifier:resource.modified'
const KILL_CHANGES = 40
const QUEUE_TOKEN = `queue-secret-${randomBytes(12).toString('hex')}`
const WEBHOOK_TOKEN = `webhook-secret-${randomBytes(12).toString('hex')}`
const ADMIN_TOKEN = randomBytes(32).toString('base64url')

let root: string
let stub: StubServices
let db: ReturnType<typeof openRuntimeDb>
let webUrl: string
const roles: RunningRole[] = []
/** Every worker started (a killed one's output still counts), and the two running now. */
const workers: RunningRole[] = []
const live: RunningRole[] = []
const cliOutputs: string[] = []
const env = { APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: ADMIN_TOKEN }

type Row = { id: number; status: string; attempts: number; run_at: number; resource: string | null; payload: string }
type Journal = {
  id: number
  what: 'start' | 'end'
  attempt: number
  pid: number
  t: number
  resource?: string
  by?: string | null
  changes?: Record<string, unknown>
}
type Warning = { code: string; plugin: string; message: string; where: string[] }
type LogLine = { msg?: string; plugin?: string; job?: number; attempt?: number; pid?: number; time?: number }

async function app(...args: string[]): Promise<string> {
  const r = await runCli([...args, '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  cliOutputs.push(r.stdout, r.stderr)
  assert.equal(r.code, 0, `app ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}
const appJson = async (...args: string[]) => JSON.parse(await app(...args, '--json'))
const jobs = (type: string): Row[] =>
  db.prepare('SELECT id, status, attempts, run_at, resource, payload FROM jobs WHERE event_type = ? ORDER BY id').all(type) as Row[]
const journal = (): Journal[] => {
  const file = join(root, 'deliveries.jsonl')
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Journal)
    : []
}
const workerLines = (): LogLine[] =>
  workers.flatMap((w) =>
    w
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine),
  )
/** A resource's properties as runtime.db holds them (polled: a CLI process per poll would cost a core). */
const propertiesOf = (id: string) =>
  JSON.parse(db.prepare('SELECT properties FROM resources WHERE id = ?').pluck().get(id) as string) as Record<string, unknown>
const importRows = async (rows: unknown[]) => {
  writeFileSync(join(root, 'import.json'), JSON.stringify(rows))
  await app('resources', 'import', 'import.json')
}
const api = async (path: string) => {
  const res = await fetch(new URL(path, webUrl), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
  assert.equal(res.status, 200, path)
  return res.text()
}
const startRole = async (args: string[], ready: RegExp) => {
  const role = startCli([...args, '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  roles.push(role)
  await role.waitFor(ready, 60_000)
  return role
}
const startWorker = async () => {
  const w = await startRole(['--role=worker', '--concurrency', '2'], /handlers ready/)
  workers.push(w)
  live.push(w)
  return w
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'app-ported-'))
  for (const name of PLUGINS) cpSync(join(ROOT, 'test/fixtures/ported', name), join(root, 'plugins', name), { recursive: true })
  stub = await startStubServices({ queue: QUEUE_TOKEN, webhook: WEBHOOK_TOKEN })
  stub.findings = { 'i-1': { critical: 0, high: 2 } }
  mkdirSync(join(root, 'secrets'), { mode: 0o700 })
  writeFileSync(join(root, 'secrets', 'queue-token'), `${QUEUE_TOKEN}\n`, { mode: 0o600 })
  writeFileSync(join(root, 'secrets', 'webhook-token'), `${WEBHOOK_TOKEN}\n`, { mode: 0o600 })
  writeFileSync(join(root, 'app.toml'), '[jobs]\nmaxAttempts = 3\n')
  const instance = (id: string) => ({
    id,
    type: 'instance',
    cloud: 'aws',
    account: '1',
    region: 'us-east-1',
    name: id,
    state: 'stopped',
    tags: { env: 'prod' },
  })
  await importRows([
    ...['i-1', 'i-2', 'i-3'].map(instance),
    ...Array.from({ length: KILL_CHANGES }, (_, i) => instance(`k-${i}`)),
    ...['b-1', 'b-2', 'b-3'].map((id) => ({
      id,
      type: 'bucket',
      cloud: 'aws',
      account: '1',
      region: 'eu-west-1',
      name: id,
      state: 'available',
    })),
  ])
  // As an operator installs: publish, set what the plugins need, then start the roles. jira-ticketer stays unset.
  await app('plugins', 'sync')
  await app(
    'plugins',
    'settings',
    'queue-publisher',
    'set',
    `queueUrl=${stub.url}/queues/orders`,
    `token=file:${join(root, 'secrets', 'queue-token')}`,
  )
  await app('plugins', 'settings', 'xray-harvester', 'set', `scannerUrl=${stub.url}/scanner/`)
  await app(
    'plugins',
    'settings',
    'state-notifier',
    'set',
    `webhookUrl=${stub.url}/webhook`,
    `token=file:${join(root, 'secrets', 'webhook-token')}`,
    `deliveryLog=${join(root, 'deliveries.jsonl')}`,
  )
  db = openRuntimeDb(join(root, 'data'))
  await startRole(['--role=scheduler'], /scheduler started/)
  const [, , web] = await Promise.all([startWorker(), startWorker(), startRole(['--role=web', '--port', '0'], /"msg":"web ready"/)])
  webUrl = (JSON.parse(/^.*"msg":"web listening.*$/m.exec(web.output())![0]) as { url: string }).url
})

afterAll(async () => {
  for (const r of roles.reverse()) await r.stop('SIGKILL')
  db?.close()
  await stub?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

test('queue-publisher: a bulk action posts each match once per run, its sequence token kept in storage between runs; a missing queue fails the run without retry', async () => {
  writeFileSync(
    join(root, 'bots.json'),
    JSON.stringify([
      {
        name: 'publish-buckets',
        resourceTypes: ['bucket'],
        filters: [],
        action: { uid: 'queue_publisher.action.publish_each', settings: {} },
      },
    ]),
  )
  await app('bots', 'apply', 'bots.json')
  const run = async () => {
    const { id } = await appJson('bots', 'run', 'publish-buckets')
    const ended = db.prepare(`SELECT 1 FROM jobs WHERE id = ? AND status IN ('done', 'failed')`).pluck()
    await waitUntil(`bot run ${id} to end`, () => ended.get(id), 30_000, 50)
    return appJson('events', 'show', String(id))
  }
  const orders = () => stub.to('/queues/orders/')
  assert.equal((await run()).status, 'done')
  assert.deepEqual(
    orders().map((r) => [r.status, (r.body.message as { resource: { id: string } }).resource.id]),
    [
      [200, 'b-1'],
      [200, 'b-2'],
      [200, 'b-3'],
    ],
  )
  assert.equal(orders()[0]!.body.sequenceToken, null, 'the first put ever carries no token')
  const stored = (await appJson('plugins', 'storage', 'queue-publisher')).keys as Array<{ key: string; value: unknown }>
  assert.deepEqual(
    stored.map((k) => [k.key, k.value]),
    [[`sequence-token:${stub.url}/queues/orders`, stub.queues.get('orders')]],
  )

  // The next run (another worker, maybe) starts from the token the last put returned: the queue accepts all.
  const tokenAfterFirst = stub.queues.get('orders')
  assert.equal((await run()).status, 'done')
  assert.equal(orders().length, 6, 'three puts per run, none repeated')
  assert.ok(
    orders().every((r) => r.status === 200),
    `the queue accepted every put: ${JSON.stringify(orders())}`,
  )
  assert.equal(orders()[3]!.body.sequenceToken, tokenAfterFirst)

  // A queue that does not exist: PermanentError, so one request and no retry (jobs.maxAttempts is 3).
  await app('plugins', 'settings', 'queue-publisher', 'set', `queueUrl=${stub.url}/queues/missing`)
  const failed = await run()
  assert.equal(failed.status, 'failed')
  assert.equal(failed.attempts, 1)
  assert.match(failed.lastError, /not retried \(PermanentError\).*queue http:\S+\/queues\/missing does not exist \(HTTP 404\)/)
  assert.equal(stub.to('/queues/missing/').length, 1, 'the missing queue was asked once')
  await app('plugins', 'settings', 'queue-publisher', 'set', `queueUrl=${stub.url}/queues/orders`)
})

test('xray-harvester: one run per interval, none doubled, each writing the findings onto the resource', async () => {
  const scans = () => stub.to('/scanner/')
  const from = Date.now()
  const before = scans().length
  await waitUntil('four more harvests', () => scans().length >= before + 4, 30_000, 20)
  // Between two runs (none running), every run the scheduler fired asked the scanner exactly once.
  const runs = await waitUntil(
    'a moment between two harvests',
    () => {
      const n = scans().length
      const rows = jobs(HARVEST)
      return !rows.some((j) => j.status === 'running') && scans().length === n ? { n, rows } : null
    },
    10_000,
    20,
  )
  const done = runs.rows.filter((j) => j.status === 'done')
  assert.equal(runs.n, done.length, 'one scanner request per run: no run twice')
  assert.equal(
    workerLines().filter((l) => l.plugin === 'xray-harvester' && l.msg === 'harvested').length,
    done.length,
    'one "harvested" line per run',
  )
  const dueTimes = runs.rows.map((j) => j.run_at)
  assert.equal(new Set(dueTimes).size, dueTimes.length, 'one job per due time')
  // A scheduler busy starting the roles may skip a due time at first; in the window measured, none is skipped or added.
  const measured = dueTimes.filter((t) => t >= from - HARVEST_MS)
  assert.deepEqual(
    measured.slice(1).map((t, i) => t - measured[i]!),
    measured.slice(1).map(() => HARVEST_MS),
    `due times one interval apart: ${measured.join(', ')}`,
  )
  // No wall-clock count of harvests: on a loaded machine a run due just before `from` starts inside the window.
  // The due times above (one job each, one interval apart) and one scanner request per run pin the rate down.
  assert.ok(
    scans()
      .filter((r) => r.t >= from)
      .every((r) => typeof r.body.since === 'string'),
    'each run asks for findings since the last run (ctx.lastRunAt)',
  )
  const listed = (await appJson('resources', 'list')).resources as Array<{ id: string; properties: Record<string, unknown> }>
  assert.deepEqual(listed.find((r) => r.id === 'i-1')!.properties.xrayFindings, { critical: 0, high: 2 })

  // A new finding is written by the next run; that change reaches the notifier once (an unchanged one never does).
  stub.findings = { 'i-1': { critical: 1, high: 2 } }
  await waitUntil('the new finding on i-1', () => (propertiesOf('i-1').xrayFindings as { critical: number }).critical === 1, 10_000, 20)
  const fromHarvester = () => journal().filter((x) => x.what === 'start' && x.by === 'xray-harvester')
  await waitUntil('the notifier to hear the new finding', () =>
    fromHarvester().some((x) => JSON.stringify(x.changes).includes('"critical":1')),
  )
  const heard = fromHarvester()
  assert.equal(heard.length, 2, 'two harvester changes reached the notifier: the first findings, and the new one')
  assert.deepEqual(heard[1]!.changes, { properties: { xrayFindings: { critical: 1, high: 2 } } })
})

test('state-notifier: posts once per state change with its file secret, not for other changes or its own, and never while nothing changes', async () => {
  const posts = () => stub.to('/webhook').sort((a, b) => String(a.body.resource).localeCompare(String(b.body.resource)))
  const seen = journal().length
  const hooksBefore = jobs(NOTIFY).length
  await importRows([
    { id: 'i-1', type: 'instance', tags: { team: 'web' } },
    { id: 'i-2', type: 'instance', state: 'running' },
    { id: 'i-3', type: 'instance', state: 'running' },
  ])
  const deliveries = await waitUntil('the three deliveries of the import to finish', () => {
    const rows = jobs(NOTIFY).slice(hooksBefore)
    return rows.length === 3 && rows.every((j) => j.status === 'done') ? rows : null
  })
  assert.deepEqual(
    deliveries.map((j) => j.resource),
    ['i-1', 'i-2', 'i-3'],
    'one delivery per changed resource',
  )
  const calls = journal()
    .slice(seen)
    .filter((x) => x.what === 'start')
  assert.deepEqual(
    calls.map((x) => x.id).sort(),
    deliveries.map((j) => j.id),
    'the notifier ran once per delivery',
  )
  assert.deepEqual(
    posts().map((r) => [r.status, r.body.resource, r.body.from, r.body.to, Number(r.deliveryId)]),
    [
      [204, 'i-2', 'stopped', 'running', deliveries[1]!.id],
      [204, 'i-3', 'stopped', 'running', deliveries[2]!.id],
    ],
    'a POST per state change, none for the tag change',
  )
  // Its own marks landed, and raised nothing for it.
  assert.equal(propertiesOf('i-2').notifiedState, 'running')
  assert.equal(journal().filter((x) => x.by === 'state-notifier').length, 0)

  // Nothing changes for three harvests: no delivery, no call, no POST. The notifier does not poll.
  const quiet = { journal: journal().length, hooks: jobs(NOTIFY).length, posts: posts().length, scans: stub.to('/scanner/').length }
  await waitUntil('three more harvests', () => stub.to('/scanner/').length >= quiet.scans + 3, 30_000, 20)
  assert.deepEqual(
    { journal: journal().length, hooks: jobs(NOTIFY).length, posts: posts().length },
    { journal: quiet.journal, hooks: quiet.hooks, posts: quiet.posts },
  )
})

test('jira-ticketer: its unset required setting is SETTINGS_INVALID naming the command, and the plugin still loads', async () => {
  const warnings = (await appJson('plugins', 'warnings')).warnings as Warning[]
  const invalid = warnings.find((w) => w.code === 'SETTINGS_INVALID' && w.plugin === 'jira-ticketer')
  assert.ok(invalid, JSON.stringify(warnings))
  assert.match(invalid.message, /the required setting "projectKey" is not set.*app plugins settings jira-ticketer set projectKey=/)
  assert.deepEqual(invalid.where.map((w) => w.split('@')[0]).sort(), ['web', 'worker', 'worker'])
  // Loaded by every role process, like the others; only it and queue-publisher (its missing queue) carry warnings.
  const listed = (await appJson('plugins', 'list')).plugins as Array<{ name: string; status: string }>
  assert.deepEqual(Object.fromEntries(listed.map((p) => [p.name, p.status])), {
    'jira-ticketer': 'warning',
    'queue-publisher': 'warning',
    'state-notifier': 'ok',
    'xray-harvester': 'ok',
  })
  for (const name of PLUGINS) {
    const shown = await appJson('plugins', 'show', name)
    assert.deepEqual(
      shown.processes.map((p: { role: string; status: string }) => `${p.role} ${p.status}`),
      ['web loaded', 'worker loaded', 'worker loaded'],
      name,
    )
    if (name === 'jira-ticketer')
      assert.deepEqual(
        shown.registered.actions.map((a: { uid: string }) => a.uid),
        ['jira_ticketer.action.open_ticket'],
      )
  }
  assert.match(await api('/api/v1/plugins/jira-ticketer'), /SETTINGS_INVALID/)
})

test('kill -9 of a worker during hook and job delivery: every change delivered, no delivery or run twice at the same time', async () => {
  stub.delayMs = { scanner: 400, webhook: 100 }
  const hooksBefore = jobs(NOTIFY).length
  const postsBefore = stub.to('/webhook').length
  await importRows(Array.from({ length: KILL_CHANGES }, (_, i) => ({ id: `k-${i}`, type: 'instance', state: 'running' })))
  const killedAt = new Map<number, number>()
  const held = db.prepare(
    `SELECT j.id, j.event_type AS type FROM jobs j JOIN processes p ON p.id = j.lease_owner WHERE j.status = 'running' AND j.started_at IS NOT NULL AND p.pid = ?`,
  )
  const heldBy = (w: RunningRole) => held.all(w.child.pid) as Array<{ id: number; type: string }>
  // Killed while running them: the first kill hits a worker delivering a hook, the second one running a harvest.
  const cut = { [NOTIFY]: [] as number[], [HARVEST]: [] as number[] }
  for (const want of [NOTIFY, HARVEST]) {
    const victim = await waitUntil(
      `a worker running a ${want} delivery`,
      () => live.find((w) => heldBy(w).some((j) => j.type === want)),
      30_000,
      5,
    )
    victim.child.kill('SIGKILL')
    killedAt.set(victim.child.pid!, Date.now())
    await victim.exited
    for (const j of heldBy(victim)) cut[j.type as keyof typeof cut]?.push(j.id)
    live.splice(live.indexOf(victim), 1)
    await startWorker()
  }
  const cutoff = Date.now()
  const deliveries = () => jobs(NOTIFY).slice(hooksBefore)
  const harvests = () => jobs(HARVEST).filter((j) => j.run_at <= cutoff)
  await waitUntil(
    'every delivery, and every harvest due before the last kill, to end',
    () => [...deliveries(), ...harvests()].every((j) => j.status === 'done' || j.status === 'failed'),
    60_000,
    100,
  )
  stub.delayMs = { scanner: 0, webhook: 0 }

  // At least once: one delivery per change, all done, and a POST for every resource that changed.
  assert.equal(deliveries().length, KILL_CHANGES)
  assert.deepEqual(
    deliveries().filter((j) => j.status !== 'done'),
    [],
  )
  assert.deepEqual(
    harvests().filter((j) => j.status !== 'done'),
    [],
  )
  const posted = new Set(
    stub
      .to('/webhook')
      .slice(postsBefore)
      .filter((r) => r.status === 204 && r.body.to === 'running')
      .map((r) => r.body.resource),
  )
  assert.equal(posted.size, KILL_CHANGES, 'every changed resource was posted')
  // Never twice at the same time: the notifier's own start/end records, the harvester's log lines, the webhook's view.
  const deliveryTrace = journal().map((x) => ({ id: x.id, what: x.what, attempt: x.attempt, pid: x.pid, t: x.t }))
  const harvestTrace = workerLines()
    .filter((l) => l.plugin === 'xray-harvester' && (l.msg === 'harvest started' || l.msg === 'harvested'))
    .map((l) => ({
      id: l.job!,
      what: l.msg === 'harvested' ? ('end' as const) : ('start' as const),
      attempt: l.attempt!,
      pid: l.pid!,
      t: l.time!,
    }))
  assert.equal(overlapping(deliveryTrace, killedAt, Date.now()), 0, 'no delivery ran twice at once')
  assert.equal(overlapping(harvestTrace, killedAt, Date.now()), 0, 'no harvest ran twice at once')
  assert.equal(stub.maxInFlightPerDelivery, 1, 'the webhook never had two requests of one delivery at once')
  // What the kills cut short started in the killed worker and ran again, to its end, in another one.
  assert.ok(cut[NOTIFY].length > 0 && cut[HARVEST].length > 0, JSON.stringify(cut))
  for (const [type, trace] of [
    [NOTIFY, deliveryTrace],
    [HARVEST, harvestTrace],
  ] as const) {
    for (const id of cut[type]) {
      const runs = trace.filter((x) => x.id === id).sort((a, b) => a.t - b.t)
      const starts = runs.filter((x) => x.what === 'start')
      assert.ok(
        starts.length >= 2 && killedAt.has(starts[0]!.pid) && runs.some((x) => x.what === 'end' && !killedAt.has(x.pid)),
        `${type} ${id} ran again after the kill: ${JSON.stringify(runs)}`,
      )
    }
  }
})

test('only the expected warnings, and the secrets appear in no log line, API answer or runtime.db byte', async () => {
  const warnings = (await appJson('plugins', 'warnings')).warnings as Warning[]
  assert.deepEqual(
    warnings.map((w) => `${w.code} ${w.plugin}`).sort(),
    ['RUNTIME_ERROR queue-publisher', 'SETTINGS_INVALID jira-ticketer'],
    JSON.stringify(warnings, null, 1),
  )
  assert.match(warnings.find((w) => w.code === 'RUNTIME_ERROR')!.message, /queue http:\S+\/queues\/missing does not exist/)

  const answers = await Promise.all(
    ['/api/v1/plugins', '/api/v1/warnings', '/api/v1/processes', '/api/v1/events', ...PLUGINS.map((p) => `/api/v1/plugins/${p}`)].map(
      async (p): Promise<[string, string]> => [p, await api(p)],
    ),
  )
  const settings = await Promise.all(
    PLUGINS.map(async (p): Promise<[string, string]> => [`plugins settings ${p}`, await app('plugins', 'settings', p, '--json')]),
  )
  const dbFiles = readdirSync(join(root, 'data'))
    .filter((f) => f.startsWith('runtime.db'))
    .map((f): [string, string] => [f, readFileSync(join(root, 'data', f)).toString('latin1')])
  assert.ok(dbFiles.some(([f]) => f === 'runtime.db'))
  const places: Array<[string, string]> = [
    ...answers,
    ...settings,
    ...dbFiles,
    ...roles.map((r, i): [string, string] => [`log of role ${i} (pid ${r.child.pid})`, r.output()]),
    ['CLI output', cliOutputs.join('\n')],
    ['delivery log', existsSync(join(root, 'deliveries.jsonl')) ? readFileSync(join(root, 'deliveries.jsonl'), 'utf8') : ''],
  ]
  for (const [where, text] of places) {
    for (const secret of [QUEUE_TOKEN, WEBHOOK_TOKEN]) assert.ok(!text.includes(secret), `a secret's value appears in ${where}`)
  }
  assert.ok(
    settings.some(([, text]) => text.includes(`file:${join(root, 'secrets', 'webhook-token')}`)),
    'settings show the reference',
  )
  assert.ok(
    stub.requests.some((r) => r.path === '/webhook' && r.status === 204) && !stub.requests.some((r) => r.status === 403),
    'the plugins did send the secrets, where they belong',
  )
})
