// Test plugins for the plugin-runtime tests (DESIGN 5b): a harvester job, a notifier on resource hooks, a
// strict plugin that throws PermanentError, a flaky one that throws plain errors, and a slow one for kill -9
// runs. Each leaves a trace a user could see: a line in a file (TRACE_DIR/<plugin>.jsonl) or a resource change.
import { manifest, writePlugin } from '../helpers/cli.ts'

const TRACE = `import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
const trace = (name, entry) => appendFileSync(join(process.env.TRACE_DIR, name + '.jsonl'), JSON.stringify({ ...entry, pid: process.pid, t: Date.now() }) + '\\n')
const sleep = (ms, signal) => new Promise((resolve) => { const t = setTimeout(resolve, ms); signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }) })
`

export const PLUGINS: Record<string, string> = {
  // Every interval, writes a property of resource i-1 (a real harvester would fetch it from a scanner).
  harvester: `${TRACE}import { jobs, Schedule, DbObjects } from 'app/plugin'
jobs.schedule('harvest', Schedule.interval(Number(process.env.HARVEST_MS ?? 1000)), async (ctx) => {
  trace('harvester', { id: ctx.jobId, what: 'start', attempt: ctx.attempt, lastRunAt: ctx.lastRunAt })
  await DbObjects.resources.update('i-1', { properties: { harvestedBy: ctx.jobId } })
  trace('harvester', { id: ctx.jobId, what: 'end', attempt: ctx.attempt })
})
export function load() {}
`,
  // Hears changes, and marks the resource it heard about: its own change must not come back to it.
  notifier: `${TRACE}import { hooks, jobs, Schedule, DbObjects } from 'app/plugin'
hooks.on('resource.modified', async ({ resource, previous, changes }, ctx) => {
  trace('notifier', { hook: ctx.hook, id: resource.id, changes, previousState: previous.state, by: ctx.changedBy })
  await DbObjects.resources.update(resource.id, { properties: { notified: ctx.jobId } })
})
hooks.on('resource.deleted', async ({ resource }, ctx) => { trace('notifier', { hook: ctx.hook, id: resource.id, by: ctx.changedBy }) })
jobs.schedule('tick', Schedule.interval(1000), async (ctx) => { trace('ticks', { id: ctx.jobId }) })
export function load() {}
`,
  // The SQS case: a failure retrying cannot fix, in a hook and in a bot action.
  strict: `${TRACE}import { hooks, PermanentError, BotFactoryRegistryWrapper } from 'app/plugin'
hooks.on('resource.created', async ({ resource }, ctx) => {
  trace('strict', { id: resource.id, attempt: ctx.attempt })
  throw new PermanentError('queue "orders" does not exist')
})
const registry = new BotFactoryRegistryWrapper()
registry.action({ uid: 'strict.action.publish', name: 'publish', bulkAction: true }, async (bot, settings, matches) => {
  trace('strict', { action: bot.name, matches: matches.length })
  throw new PermanentError('queue "orders" does not exist')
})
export function load() { registry.load() }
export function unload() { registry.unload() }
`,
  flaky: `${TRACE}import { hooks } from 'app/plugin'
hooks.on('resource.created', async ({ resource }, ctx) => {
  trace('flaky', { id: resource.id, attempt: ctx.attempt })
  throw new Error('the webhook answered 503')
})
export function load() {}
`,
  // Slow handlers, traced by job id, for kill -9 runs.
  slow: `${TRACE}import { hooks, jobs, Schedule } from 'app/plugin'
hooks.on('resource.modified', async (change, ctx) => {
  trace('slow', { id: ctx.jobId, what: 'start', attempt: ctx.attempt })
  await sleep(200)
  trace('slow', { id: ctx.jobId, what: 'end', attempt: ctx.attempt })
})
jobs.schedule('slow-job', Schedule.interval(1000), async (ctx) => {
  trace('slow', { id: ctx.jobId, what: 'start', attempt: ctx.attempt })
  await sleep(300)
  trace('slow', { id: ctx.jobId, what: 'end', attempt: ctx.attempt })
})
export function load() {}
`,
}

export function writeTestPlugin(pluginsDir: string, name: keyof typeof PLUGINS): string {
  return writePlugin(pluginsDir, name, manifest(name), { 'index.js': PLUGINS[name]! })
}

export interface TraceLine {
  id: number | string
  what?: string
  attempt?: number
  pid: number
  t: number
  [key: string]: unknown
}
