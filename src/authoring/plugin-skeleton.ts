import { APP_VERSION } from '../version.ts'

/** Where `app plugin init` writes the SDK declarations; tsconfig `paths` points `app/plugin` at it. */
export const SDK_TYPES_FILE = 'types/app-plugin.d.ts'

/**
 * The files of a new plugin (DESIGN 5b, `app plugin init`): a manifest, a
 * module with an event type and a filter, a first test (node:test, run by
 * `app plugin test`), and for TypeScript a tsconfig.json. The SDK
 * declarations are added by the caller (they come from the executable).
 */
export function pluginSkeleton(name: string, options: { ts: boolean }): Record<string, string> {
  const ext = options.ts ? 'ts' : 'js'
  const files: Record<string, string> = {
    'plugin.json': `${JSON.stringify({
      name, version: '0.1.0', apiVersion: 1, engines: { app: `>=${APP_VERSION}` }, modules: [`index.${ext}`],
      metadata: { description: `${name}: describe what it does` },
    }, null, 2)}\n`,
    [`index.${ext}`]: options.ts ? tsModule(name) : jsModule(name),
    [`index.test.${ext}`]: testModule(ext),
  }
  const config = {
    compilerOptions: {
      target: 'es2024', module: 'preserve', moduleResolution: 'bundler', allowImportingTsExtensions: true, noEmit: true,
      strict: true, experimentalDecorators: true, skipLibCheck: true, ...(options.ts ? {} : { allowJs: true, checkJs: true }),
      paths: { 'app/plugin': [`./${SDK_TYPES_FILE}`] },
    },
    include: options.ts ? ['**/*.ts'] : ['**/*.js', SDK_TYPES_FILE],
  }
  // jsconfig.json for JavaScript: editors then resolve app/plugin to the declarations too.
  files[options.ts ? 'tsconfig.json' : 'jsconfig.json'] = `${JSON.stringify(config, null, 2)}\n`
  return files
}

const tsModule = (name: string) => `import { QueryRegistry, ScheduledEventJob, ScheduledEventManager, type EventContext, type Resource } from 'app/plugin'

// An event type: a bot action schedules "${name}.example" events; a worker runs them.
@ScheduledEventManager.register('${name}.example')
export class ExampleJob extends ScheduledEventJob {
  override async run(ctx: EventContext): Promise<void> {
    ctx.log.info({ resource: ctx.event.resource }, 'example event ran')
  }
}

let undo: (() => void) | null = null

export function load(): void {
  // A filter bots can use: resources in one of the given states.
  undo = QueryRegistry.register(
    { queryId: '${name}.filter.state', name: 'Resource in state', supportedResources: ['instance'], settingsConfig: [{ name: 'states', type: 'list', default: ['stopped'] }] },
    (resource: Resource, settings) => (settings.states as string[]).includes(resource.state),
  )
}

export function unload(): void {
  undo?.()
}
`

const jsModule = (name: string) => `import { QueryRegistry, ScheduledEventJob, ScheduledEventManager } from 'app/plugin'

// An event type: a bot action schedules "${name}.example" events; a worker runs them.
ScheduledEventManager.register('${name}.example')(class ExampleJob extends ScheduledEventJob {
  /** @param {import('app/plugin').EventContext} ctx */
  async run(ctx) {
    ctx.log.info({ resource: ctx.event.resource }, 'example event ran')
  }
})

/** @type {(() => void) | null} */
let undo = null

export function load() {
  // A filter bots can use: resources in one of the given states.
  undo = QueryRegistry.register(
    { queryId: '${name}.filter.state', name: 'Resource in state', supportedResources: ['instance'], settingsConfig: [{ name: 'states', type: 'list', default: ['stopped'] }] },
    (resource, settings) => settings.states.includes(resource.state),
  )
}

export function unload() {
  undo?.()
}
`

const testModule = (ext: string) => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as plugin from './index.${ext}'

test('the plugin module exports load()', () => {
  assert.equal(typeof plugin.load, 'function')
})
`
