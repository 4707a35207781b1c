import type { ResourceChange, ResourceHookName } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import { hookDeliveries } from './hook-deliveries.ts'
import { RESOURCE_HOOKS } from './hook-names.ts'
import type { HookSubscriptionsPort } from './hook-subscriptions-port.ts'

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
    const jobs = hookDeliveries(hook, change, actor, subscribers(hook))
    for (const job of jobs) insert.run({ ...job, now })
    return jobs.length
  }
}

/** The same subscriptions behind the async port; today's callers keep the sync writer and raiser above. */
export function createSqliteHookSubscriptions(db: Db): HookSubscriptionsPort {
  const write = createSubscriptionWriter(db)
  const select = db.prepare('SELECT plugin FROM hook_subscriptions WHERE event = ? ORDER BY plugin').pluck()
  return {
    replace: async (subscriptions) => db.transaction(write)(subscriptions),
    subscribers: async (hook) => select.all(hook) as string[],
  }
}
