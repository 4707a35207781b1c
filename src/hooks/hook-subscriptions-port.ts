import type { ResourceHookName } from '../sdk/host-services.ts'

/**
 * Resource hook subscriptions (table hook_subscriptions) on either backend: the scheduler writes a
 * generation's when the current generation changes. Writers of resources read them to queue deliveries in
 * their own transaction (createHookRaiser on SQLite, raisePostgresHooks in src/resources on PostgreSQL).
 */
export interface HookSubscriptionsPort {
  /** Replaces every subscription with these; names that are not resource hooks are left out. */
  replace(subscriptions: Array<{ plugin: string; hook: string }>): Promise<void>
  /** The plugins subscribed to a hook, sorted. */
  subscribers(hook: ResourceHookName): Promise<string[]>
}
