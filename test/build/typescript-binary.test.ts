// The plugin author's loop on the built executable, in an empty environment (no PATH, no compiler, no network):
// a TypeScript plugin (decorator, enum, a second module) published by `dist/app plugins sync`, its event run by
// a `dist/app --role=worker`, and the error it throws reported at its own file and line.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, test } from 'vitest'
import { sdkDeclarations } from '../../src/sdk/sdk-declarations.ts'
import { ROOT, tempDir, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { DIST_APP, run, start } from './run-command.ts'

beforeAll(() => {
  assert.ok(existsSync(DIST_APP), `${DIST_APP} is missing: run \`npm run build\` first (\`npm test\` does it for you)`)
})

const PLUGIN = {
  'index.ts': `import { BotFactoryRegistryWrapper, QueryRegistry, Schedule, ScheduledEventJob, ScheduledEventManager, ScheduledEventTracker, type EventContext, type Resource } from 'app/plugin'
import { startResource, State } from './lib/x.ts'

@ScheduledEventManager.register('ts.start_resource')
class StartResourceJob extends ScheduledEventJob {
  override async run(ctx: EventContext): Promise<void> {
    startResource(ctx.resource)
  }
}

const registry = new BotFactoryRegistryWrapper()
registry.action({ uid: 'ts.action.start_now', bulkAction: true }, async (bot, _settings, matches) => {
  await ScheduledEventTracker.run((tracker) => {
    for (const resource of matches) tracker.scheduleBotEvent({ bot, resource, description: 'start', eventType: 'ts.start_resource', scheduleData: Schedule.once(new Date()) })
  })
})

export function load(): void {
  QueryRegistry.register({ queryId: 'ts.filter.stopped', supportedResources: ['instance'] }, (r: Resource) => r.state === State.Stopped)
  registry.load()
}

export function unload(): void {
  registry.unload()
}
`,
  'lib/x.ts': `import type { Resource } from 'app/plugin'

export enum State { Stopped = 'stopped', Running = 'running' }

export function startResource(resource: Resource | null): void {
  throw new Error(\`cannot start \${resource?.id}: the cloud API said no\`)
}
`,
}

test('dist/app with env {}: a TypeScript plugin is compiled by `plugins sync`, run by a worker, and its error names ts-starter/lib/x.ts:6', async (t) => {
  const root = tempDir(t, 'app-bin-ts-')
  const data = join(root, 'data')
  const plugins = join(root, 'plugins')
  const cwd = join(root, 'elsewhere')
  mkdirSync(cwd)
  writePlugin(plugins, 'ts-starter', { name: 'ts-starter', version: '1.0.0', apiVersion: 1, modules: ['index.ts'] }, PLUGIN)
  const app = (...args: string[]) => run(DIST_APP, [...args, '--data-dir', data], { cwd, env: {} })

  const sync = await app('plugins', 'sync', '--plugins-dir', plugins)
  assert.equal(sync.code, 0, sync.stderr)
  const list = JSON.parse((await app('plugins', 'list', '--json')).stdout) as {
    plugins: Array<{ name: string; status: string; warnings: unknown[] }>
  }
  assert.deepEqual(
    list.plugins.map((p) => [p.name, p.status, p.warnings]),
    [['ts-starter', 'ok', []]],
  )
  // The compiler came out of the executable, once, named by its hash.
  const native = readdirSync(join(data, 'native'))
    .flatMap((d) => readdirSync(join(data, 'native', d)))
    .sort()
  assert.deepEqual(native, ['better_sqlite3.node', 'esbuild'])

  const worker = start(DIST_APP, ['--role=worker', '--data-dir', data, '--concurrency', '1'], { cwd, env: {} })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
  })
  await worker.waitFor(/handlers ready/, 60_000)
  assert.equal((await app('resources', 'import', join(ROOT, 'examples/resources.json'))).code, 0)
  writeFileSync(
    join(root, 'bots.json'),
    JSON.stringify([
      {
        name: 'ts-bot',
        resourceTypes: ['instance'],
        filters: [{ queryId: 'ts.filter.stopped', settings: {} }],
        action: { uid: 'ts.action.start_now', settings: {} },
      },
    ]),
  )
  const applied = await app('bots', 'apply', join(root, 'bots.json'))
  assert.equal(applied.code, 0, applied.stderr)
  assert.equal((await app('bots', 'run', 'ts-bot')).code, 0)

  const failed = await waitUntil(
    'a ts.start_resource event to fail',
    async () => {
      const events = JSON.parse((await app('events', 'list', '--type', 'ts.start_resource', '--json')).stdout).events as Array<{
        resource: string
        lastError: string | null
      }>
      return events.find((e) => e.resource === 'i-0a1' && e.lastError) ?? null
    },
    60_000,
  )
  assert.match(
    failed.lastError!,
    /Error: cannot start i-0a1: the cloud API said no\n\s+at startResource \(ts-starter\/lib\/x\.ts:6:9\)\n\s+at StartResourceJob\.run \(ts-starter\/index\.ts:7:5\)/,
  )
  assert.doesNotMatch(failed.lastError!, /cache|\.app-build/)
  // The worker's log names the same place.
  await worker.waitFor(/ts-starter\/lib\/x\.ts:6:9/)
  assert.doesNotMatch(worker.output(), /data\/cache\/[0-9a-f]{64}/)
})

test('dist/app plugin init writes the SDK declarations it carries (the same as types/ in the repo, Hono declared inline)', async (t) => {
  const root = tempDir(t, 'app-bin-init-')
  const r = await run(DIST_APP, ['plugin', 'init', 'my-plugin', '--ts'], { cwd: root, env: {} })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(readFileSync(join(root, 'my-plugin/types/app-plugin.d.ts'), 'utf8'), sdkDeclarations())
})
