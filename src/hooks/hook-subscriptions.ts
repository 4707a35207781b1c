import type { Db } from '../store/open-database.ts'
import type { Resource, ResourceChange, ResourceHookName } from '../sdk/host-services.ts'
import { hookJobType, RESOURCE_HOOKS } from './hook-names.ts'

/**
 * Replaces the hook subscriptions with those of the current generation (the scheduler, when the generation
 * changes). Sync: the caller holds the transaction.
 */
export function createSubscriptionWriter(db: Db) {
  const clear = db.prepare('DELETE FROM hook_subscriptions')
  const add = db.prepare('INSERT OR IGNORE INTO hook_subscriptions (event, plugin) VALUES (?, ?)')
  return (subscriptions: Array<{ plugin: string; hook: string }>): void => {
    clear.run()
    for (const s of subscriptions) if (RESOURCE_HOOKS.includes(s.hook as ResourceHookName)) add.run(s.hook, s.plugin)
  }
}

/**
 * Raises a resource hook: one job per subscribed plugin (but not `actor`, whose own change it is), in the
 * caller's transaction, so the change and its deliveries commit together or not at all. The job's type is
 * hookJobType(plugin, hook); its owner is the subscriber (orphan warnings land on it). `snapshot`: read the
 * subscriptions once and keep them, for a raiser that lives inside one transaction (an import), where they
 * cannot change; otherwise they are read on every raise.
 */
export function createHookRaiser(db: Db, options: { snapshot?: boolean } = {}) {
  const read = db.prepare('SELECT event, plugin FROM hook_subscriptions')
  const insert = db.prepare(`INSERT INTO jobs (event_type, description, resource, payload, run_at, owner, created_at)
    VALUES (@type, @description, @resource, @payload, @now, @plugin, @now)`)
  let kept: Map<string, string[]> | null = null
  const subscribers = (hook: string): string[] => {
    if (kept && options.snapshot) return kept.get(hook) ?? []
    kept = new Map()
    for (const r of read.all() as Array<{ event: string; plugin: string }>) kept.set(r.event, [...(kept.get(r.event) ?? []), r.plugin])
    return kept.get(hook) ?? []
  }
  return (hook: ResourceHookName, change: ResourceChange, actor: string | null, now = Date.now()): number => {
    const plugins = subscribers(hook).filter((p) => p !== actor)
    // Most installs subscribe to nothing: then no payload is built.
    if (!plugins.length) return 0
    const resource: Resource = change.resource
    const payload = JSON.stringify({ ...change, by: actor })
    const description = `${hook} ${resource.id}${actor ? ` by ${actor}` : ''}`
    for (const plugin of plugins) insert.run({ type: hookJobType(plugin, hook), description, resource: resource.id, payload, now, plugin })
    return plugins.length
  }
}
