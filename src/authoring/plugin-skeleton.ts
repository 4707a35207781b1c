import { APP_VERSION } from '../version.ts'

/** Where `app plugin init` writes the SDK declarations; tsconfig `paths` points `app/plugin` at it. */
export const SDK_TYPES_FILE = 'types/app-plugin.d.ts'
/** ... and those of the test host, `app/plugin/testing`. */
export const TESTING_TYPES_FILE = 'types/app-plugin-testing.d.ts'

/**
 * The files of a new plugin (DESIGN 5b, `app plugin init`): a manifest, a
 * module with an event type, a filter and a bot action, a first test
 * (node:test and the test host, run by `app plugin test`, passing as
 * written), and for TypeScript a tsconfig.json. The SDK declarations are
 * added by the caller (they come from the executable).
 */
export function pluginSkeleton(name: string, options: { ts: boolean }): Record<string, string> {
  const ext = options.ts ? 'ts' : 'js'
  const files: Record<string, string> = {
    'plugin.json': `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        apiVersion: 1,
        engines: { app: `>=${APP_VERSION}` },
        modules: [`index.${ext}`],
        metadata: { description: `${name}: describe what it does` },
      },
      null,
      2,
    )}\n`,
    [`index.${ext}`]: options.ts ? tsModule(name) : jsModule(name),
    [`index.test.${ext}`]: options.ts ? tsTest(name) : jsTest(name),
  }
  const config = {
    compilerOptions: {
      target: 'es2024',
      module: 'preserve',
      moduleResolution: 'bundler',
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      experimentalDecorators: true,
      skipLibCheck: true,
      ...(options.ts ? {} : { allowJs: true, checkJs: true }),
      paths: { 'app/plugin': [`./${SDK_TYPES_FILE}`], 'app/plugin/testing': [`./${TESTING_TYPES_FILE}`] },
    },
    include: options.ts ? ['**/*.ts'] : ['**/*.js', SDK_TYPES_FILE, TESTING_TYPES_FILE],
  }
  // jsconfig.json for JavaScript: editors then resolve app/plugin to the declarations too.
  files[options.ts ? 'tsconfig.json' : 'jsconfig.json'] = `${JSON.stringify(config, null, 2)}\n`
  return files
}

const tsModule = (name: string) => `import {
  BotFactoryRegistryWrapper, QueryRegistry, Schedule, ScheduledEventJob, ScheduledEventManager, ScheduledEventTracker, type EventContext, type Resource,
} from 'app/plugin'

// An event type: the bot action below schedules "${name}.example" events; a worker runs each when it is due.
@ScheduledEventManager.register('${name}.example')
export class ExampleJob extends ScheduledEventJob {
  override async run(ctx: EventContext): Promise<void> {
    ctx.log.info({ resource: ctx.event.resource }, 'example event ran')
  }
}

// A bot action: one "${name}.example" event per resource the bot's filters matched, due delayMinutes later.
const actions = new BotFactoryRegistryWrapper().action(
  { uid: '${name}.action.example', name: 'Schedule the example event', bulkAction: true, settingsConfig: [{ name: 'delayMinutes', type: 'number', default: 5 }] },
  async (bot, settings, matches) => {
    await ScheduledEventTracker.run((tracker) => {
      for (const resource of matches) {
        const at = Date.now() + Number(settings.delayMinutes) * 60_000
        tracker.scheduleBotEvent({ bot, resource, description: 'the example event', eventType: '${name}.example', scheduleData: Schedule.once(at) })
      }
    })
  },
)

let undo: (() => void) | null = null

export function load(): void {
  // A filter bots can use: resources in one of the given states.
  undo = QueryRegistry.register(
    { queryId: '${name}.filter.state', name: 'Resource in state', supportedResources: ['instance'], settingsConfig: [{ name: 'states', type: 'list', default: ['stopped'] }] },
    (resource: Resource, settings) => (settings.states as string[]).includes(resource.state),
  )
  actions.load()
}

export function unload(): void {
  actions.unload()
  undo?.()
}
`

const jsModule = (
  name: string,
) => `import { BotFactoryRegistryWrapper, QueryRegistry, Schedule, ScheduledEventJob, ScheduledEventManager, ScheduledEventTracker } from 'app/plugin'

// An event type: the bot action below schedules "${name}.example" events; a worker runs each when it is due.
ScheduledEventManager.register('${name}.example')(class ExampleJob extends ScheduledEventJob {
  /** @param {import('app/plugin').EventContext} ctx */
  async run(ctx) {
    ctx.log.info({ resource: ctx.event.resource }, 'example event ran')
  }
})

// A bot action: one "${name}.example" event per resource the bot's filters matched, due delayMinutes later.
const actions = new BotFactoryRegistryWrapper().action(
  { uid: '${name}.action.example', name: 'Schedule the example event', bulkAction: true, settingsConfig: [{ name: 'delayMinutes', type: 'number', default: 5 }] },
  async (bot, settings, matches) => {
    await ScheduledEventTracker.run((tracker) => {
      for (const resource of matches) {
        const at = Date.now() + Number(settings.delayMinutes) * 60_000
        tracker.scheduleBotEvent({ bot, resource, description: 'the example event', eventType: '${name}.example', scheduleData: Schedule.once(at) })
      }
    })
  },
)

/** @type {(() => void) | null} */
let undo = null

export function load() {
  // A filter bots can use: resources in one of the given states.
  undo = QueryRegistry.register(
    { queryId: '${name}.filter.state', name: 'Resource in state', supportedResources: ['instance'], settingsConfig: [{ name: 'states', type: 'list', default: ['stopped'] }] },
    (resource, settings) => settings.states.includes(resource.state),
  )
  actions.load()
}

export function unload() {
  actions.unload()
  undo?.()
}
`

/** The body of the first test, the same in both languages. */
const testBody = (name: string) => `describe('${name}', () => {
  before(async () => {
    host = await createTestHost()
  })
  after(() => host.close())

  test('publishes and loads with no warning', () => {
    assert.deepEqual(host.warnings, [])
  })

  test('a bot with its filter and action schedules the example event for each stopped instance; the event runs when due', async () => {
    await host.resources.add({ id: 'i-1', type: 'instance', state: 'stopped' }, { id: 'i-2', type: 'instance', state: 'running' })
    const run = await host.runBot({ resourceTypes: ['instance'], filters: [{ queryId: '${name}.filter.state' }], action: { uid: '${name}.action.example' } })
    assert.deepEqual(run.matches.map((r) => r.id), ['i-1'])
    assert.deepEqual(run.events.map((e) => [e.eventType, e.resource]), [['${name}.example', 'i-1']])

    // Not due yet; ten minutes on, it is (the action schedules it 5 minutes ahead).
    assert.deepEqual(await host.runDueJobs(), [])
    const runs = await host.runDueJobs({ now: Date.now() + 10 * 60_000 })
    assert.deepEqual(runs.map((r) => [r.eventType, r.outcome]), [['${name}.example', 'done']])
    assert.ok(host.logs.some((line) => line.msg === 'example event ran' && line.resource === 'i-1'), 'the event logged its line')
  })
})
`

const tsTest = (name: string) => `import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createTestHost, type TestHost } from 'app/plugin/testing'

// \`app plugin test\` runs this file. createTestHost() publishes this plugin as the scheduler would (compiled,
// dry run) into a temporary data directory and loads it here, on a real runtime.db.
let host: TestHost

${testBody(name)}`

const jsTest = (name: string) => `import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createTestHost } from 'app/plugin/testing'

// \`app plugin test\` runs this file. createTestHost() publishes this plugin as the scheduler would (dry run
// included) into a temporary data directory and loads it here, on a real runtime.db.
/** @type {import('app/plugin/testing').TestHost} */
let host

${testBody(name)}`
