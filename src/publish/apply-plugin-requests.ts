import type { Logger } from '../log/create-logger.ts'
import type { PluginRequests, RequestOutcome } from '../runtime/console-port.ts'
import type { PluginRequest } from '../runtime/plugin-requests.ts'
import type { Generation } from '../store/store-types.ts'
import { readDisabledPlugins, writeDisabledPlugins } from './disabled-plugins.ts'
import type { PublishStore, SyncOptions, SyncResult } from './sync-plugins.ts'

export interface ApplyOptions {
  store: PublishStore
  /** The operators' requests (runtime.console.requests): claimed one at a time, so none is applied twice. */
  requests: Pick<PluginRequests, 'applyPending'>
  /** One publish pass over the sources with these overrides (enable takes the plugin from its source again). */
  syncPass: (extra: Pick<SyncOptions, 'reason' | 'bringBack'>) => Promise<SyncResult>
  keepGenerations?: number
  pinnedGenerations?: () => Promise<number[]>
  logger?: Logger
}

type Outcome = RequestOutcome

/**
 * Applies the operators' pending requests (plugin_requests in the runtime tables) as
 * new generations, oldest first, and records each outcome. Runs in the
 * scheduler, between publish passes: the only writer of the plugin store. Returns
 * how many it applied (done or failed); one still waiting for files to settle
 * stays pending for the next call.
 */
export async function applyPluginRequests(o: ApplyOptions): Promise<number> {
  const finished = await o.requests.applyPending(async (request) => {
    let outcome: Outcome
    try {
      outcome = await applyOne(o, request)
    } catch (error) {
      outcome = { status: 'failed', message: `the scheduler could not apply it: ${(error as Error)?.message ?? String(error)}` }
    }
    if (outcome)
      o.logger?.info(
        {
          request: request.id,
          plugin: request.plugin,
          action: request.action,
          status: outcome.status,
          generation: outcome.generation ?? null,
        },
        `plugin request ${outcome.status}: ${outcome.message}`,
      )
    return outcome
  })
  return finished.length
}

const by = (r: PluginRequest) => `request #${r.id} by ${r.requestedBy}`

function applyOne(o: ApplyOptions, r: PluginRequest): Promise<Outcome> {
  if (r.action === 'disable') return disable(o, r)
  if (r.action === 'enable') return enable(o, r)
  return rollback(o, r)
}

/** Publishes the current generation with `name` left out, or pointed at another stored version. */
async function publishChanged(
  o: ApplyOptions,
  current: Generation,
  reason: string,
  name: string,
  versionId: number | null,
): Promise<number | null> {
  const entries = current.plugins
    .filter((p) => p.name !== name)
    .map((p) => ({ name: p.name, version: p.id, rejected: p.rejected?.id ?? null }))
  if (versionId !== null) entries.push({ name, version: versionId, rejected: null })
  // The notices as they stand: publish replaces them with what it is given.
  const result = await o.store.publish(
    { reason, entries, notices: await o.store.notices() },
    { keepGenerations: o.keepGenerations, pinnedGenerations: await o.pinnedGenerations?.() },
  )
  return result.generation
}

async function disable(o: ApplyOptions, r: PluginRequest): Promise<NonNullable<Outcome>> {
  const disabled = await readDisabledPlugins(o.store)
  if (disabled[r.plugin]) return { status: 'done', message: `${r.plugin} was already disabled (by ${disabled[r.plugin]!.by})` }
  const current = await o.store.currentGeneration()
  const entry = current?.plugins.find((p) => p.name === r.plugin)
  if (!current || !entry)
    return { status: 'failed', message: `no plugin named "${r.plugin}" in generation ${current?.id ?? 'none'}; nothing to disable` }
  await writeDisabledPlugins(o.store, {
    ...disabled,
    [r.plugin]: { at: new Date().toISOString(), by: r.requestedBy, version: entry.version },
  })
  const generation = await publishChanged(o, current, `disable ${r.plugin} (${by(r)})`, r.plugin, null)
  return {
    status: 'done',
    generation,
    message: `disabled ${r.plugin} ${entry.version}: generation ${generation} leaves it out until it is enabled; restart workers and webs (or run them with --reload) to unload it`,
  }
}

async function enable(o: ApplyOptions, r: PluginRequest): Promise<Outcome> {
  const disabled = await readDisabledPlugins(o.store)
  if (!disabled[r.plugin]) {
    const current = await o.store.currentGeneration()
    const entry = current?.plugins.find((p) => p.name === r.plugin)
    return entry
      ? { status: 'done', message: `${r.plugin} was not disabled; generation ${current!.id} holds ${entry.version}` }
      : { status: 'failed', message: `${r.plugin} is not disabled and no generation holds it; put it in a plugin source to publish it` }
  }
  // Published first, then no longer marked disabled: no reader sees it neither disabled nor published.
  const result = await o.syncPass({ reason: `enable ${r.plugin} (${by(r)})`, bringBack: new Set([r.plugin]) })
  if (result.unsettledMs) return null // files still being written: try again on the next poll
  const { [r.plugin]: _gone, ...rest } = await readDisabledPlugins(o.store)
  await writeDisabledPlugins(o.store, rest)
  const entry = (await o.store.currentGeneration())?.plugins.find((p) => p.name === r.plugin)
  if (!entry)
    return {
      status: 'failed',
      message: `${r.plugin} is enabled again, but no plugin source offers it now: put it back in the plugins directory (or its remote source) and it is published`,
    }
  return {
    status: 'done',
    generation: result.generation,
    message: `enabled ${r.plugin}: generation ${result.generation} holds ${entry.version}${entry.status === 'error' ? ', which failed validation (see its warnings)' : ''}; restart workers and webs (or run them with --reload) to load it`,
  }
}

async function rollback(o: ApplyOptions, r: PluginRequest): Promise<NonNullable<Outcome>> {
  const disabled = await readDisabledPlugins(o.store)
  if (disabled[r.plugin]) return { status: 'failed', message: `${r.plugin} is disabled; enable it first, then roll it back` }
  const current = await o.store.currentGeneration()
  const entry = current?.plugins.find((p) => p.name === r.plugin)
  if (!current || !entry)
    return { status: 'failed', message: `no plugin named "${r.plugin}" in generation ${current?.id ?? 'none'}; nothing to roll back` }
  const history = await o.store.history(r.plugin)
  const target = history.find((h) => h.version === r.version && h.status !== 'error')
  if (!target) {
    const good = [...new Set(history.filter((h) => h.status !== 'error').map((h) => h.version))]
    const failedToo = history.some((h) => h.version === r.version)
    return {
      status: 'failed',
      message: `${r.plugin} ${r.version ?? '(no version given)'} ${failedToo ? 'failed validation, so it cannot be published' : 'is not kept in the store'}; versions to roll back to: ${good.join(', ') || 'none'}`,
    }
  }
  if (target.id === entry.id && !entry.rejected)
    return { status: 'done', message: `${r.plugin} is already at ${target.version} in generation ${current.id}` }
  const generation = await publishChanged(o, current, `roll back ${r.plugin} to ${target.version} (${by(r)})`, r.plugin, target.id)
  return {
    status: 'done',
    generation,
    message: `rolled ${r.plugin} back from ${entry.version} to ${target.version} in generation ${generation}; it stands until a source changes; restart workers and webs (or run them with --reload) to load it`,
  }
}
