import { applyBots } from '../bots/apply-bots.ts'
import { registeredIds } from '../bots/registered-ids.ts'
import { hookJobType, isResourceHook, RESOURCE_HOOKS } from '../hooks/hook-names.ts'
import { resourceChanges } from '../hooks/resource-changes.ts'
import { createJobInserter } from '../queue/insert-jobs.ts'
import { BOT_RUN, toJobRecord, type JobRow } from '../queue/job-types.ts'
import type { ResourceInput } from '../resources/resource-schema.ts'
import type { EventRecord, HostServices, Resource, ResourceChange, ResourceHookName } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { createTestJobs, JobRun } from './test-host-jobs.ts'
import { fullResource, resourcesOfTypes } from './test-host-parts.ts'

type TestJobs = ReturnType<typeof createTestJobs>

export interface TestBot {
  name?: string
  resourceTypes: string[]
  filters?: Array<{ queryId: string; settings?: Record<string, unknown> }>
  action: { uid: string; settings?: Record<string, unknown> }
}

export interface BotRun {
  matches: Resource[]
  nonMatches: Resource[]
  events: EventRecord[]
}

export interface HookFiring {
  resource: ResourceInput
  previous?: ResourceInput | null
  changes?: ResourceChange['changes']
  changedBy?: string | null
}

interface WorkDeps {
  runtime: Db
  store: StoreReader
  services: HostServices
  jobs: TestJobs
  plugin: string
}

const toEvent = (r: JobRow): EventRecord => {
  const { id, eventType, description, bot, resource, payload, status, runAt, attempts, lastError } = toJobRecord(r)
  return { id, eventType, description, bot, resource, payload, status, runAt, attempts, lastError }
}

/**
 * host.runBot: the bot applied as `app bots apply` does (its settings checked
 * against what the filters and action registered), then one run as a worker
 * runs it. The action's arguments are recorded to say what matched.
 */
export async function runTestBot(d: WorkDeps, given: TestBot): Promise<BotRun> {
  const bot = { filters: [], ...given, name: given?.name ?? 'test-bot' }
  const applied = await applyBots(d.runtime, [bot], await registeredIds(d.store))
  const problems = [
    ...applied.rejected.map((r) => `${r.field}: ${r.message}`),
    ...applied.invalid.map((p) => p.message),
    ...applied.unknown.map((u) => u.message),
  ]
  if (problems.length)
    throw new TypeError(
      `host.runBot: bot "${bot.name}" does not check out as \`app bots apply\` would take it:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    )
  const before = await resourcesOfTypes((q) => d.services.resources.find(q), bot.resourceTypes)
  const matched = new Map<string, Resource>()
  const lastId = d.runtime.prepare('SELECT coalesce(max(id), 0) FROM jobs').pluck().get() as number
  const { result, thrown } = await d.jobs.runOne(
    {
      id: 0,
      token: 'test-host',
      eventType: BOT_RUN,
      description: `bot ${bot.name} (host.runBot)`,
      bot: bot.name,
      resource: null,
      payload: null,
      runAt: Date.now(),
      attempt: 1,
      owner: 'test',
    },
    (matches) => {
      for (const m of matches) matched.set(m.id, structuredClone(m))
    },
  )
  if (result.outcome !== 'done') throw thrown ?? new Error(`host.runBot: bot "${bot.name}" failed: ${result.error}`)
  const events = (d.runtime.prepare('SELECT * FROM jobs WHERE id > ? AND bot = ? ORDER BY id').all(lastId, bot.name) as JobRow[]).map(
    toEvent,
  )
  return { matches: [...matched.values()], nonMatches: before.filter((r) => !matched.has(r.id)), events }
}

/** host.fireHook: one delivery of a resource hook to the plugin, written to the queue and run as a worker runs it. */
export async function fireTestHook(d: WorkDeps, name: ResourceHookName, change: HookFiring): Promise<JobRun> {
  if (!isResourceHook(name))
    throw new TypeError(`host.fireHook(name): expected one of ${RESOURCE_HOOKS.join(', ')}; found ${JSON.stringify(name)}`)
  const type = hookJobType(d.plugin, name)
  if (!d.jobs.handlers.hooks(type).length) {
    const subscribed = RESOURCE_HOOKS.filter((h) => d.jobs.handlers.hooks(hookJobType(d.plugin, h)).length)
    throw new Error(
      `host.fireHook: plugin "${d.plugin}" has no hooks.on(${JSON.stringify(name)}, handler); it subscribes to ${subscribed.length ? subscribed.join(', ') : 'no hook'}.`,
    )
  }
  const resource = fullResource(change?.resource, 'host.fireHook: change.resource')
  const previous = change.previous ? fullResource(change.previous, 'host.fireHook: change.previous') : null
  const changes = change.changes ?? resourceChanges(previous, resource) ?? {}
  createJobInserter(d.runtime)([
    {
      eventType: type,
      description: `${name} ${resource.id} (host.fireHook)`,
      resource: resource.id,
      owner: d.plugin,
      runAt: Date.now(),
      payload: { resource, previous, changes, by: change.changedBy ?? null },
    },
  ])
  const id = d.runtime.prepare('SELECT last_insert_rowid()').pluck().get() as number
  const { runs, thrown } = await d.jobs.runType(type)
  const run = runs.find((r) => r.id === id)
  if (!run) throw new Error(`host.fireHook: the delivery of ${name} (job ${id}) was not run; \`app events show ${id}\` would say why`)
  if (run.outcome === 'failed') throw thrown ?? new Error(`host.fireHook: the ${name} handler of plugin "${d.plugin}" failed: ${run.error}`)
  return run
}
