import type { Queryable } from '../postgres/open-postgres.ts'
import { RESOURCE_HOOKS } from './hook-names.ts'
import type { HookSubscriptionsPort } from './hook-subscriptions-port.ts'

/** Hook subscriptions in runtime.hook_subscriptions, written on the scheduler's connection. */
export function createPostgresHookSubscriptions(db: Queryable): HookSubscriptionsPort {
  return {
    async replace(subscriptions) {
      const wanted = subscriptions.filter((s) => (RESOURCE_HOOKS as readonly string[]).includes(s.hook))
      // One statement, so atomic on a pool too: drop what is no longer wanted, add what is new. (A DELETE of
      // every row and an INSERT in one statement would not do: the INSERT sees the rows as they were.)
      await db.query(
        `WITH wanted AS (SELECT DISTINCT event, plugin FROM unnest($1::text[], $2::text[]) AS w (event, plugin)),
          gone AS (DELETE FROM runtime.hook_subscriptions s WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.event = s.event AND w.plugin = s.plugin))
        INSERT INTO runtime.hook_subscriptions (event, plugin) SELECT event, plugin FROM wanted ON CONFLICT DO NOTHING`,
        [wanted.map((s) => s.hook), wanted.map((s) => s.plugin)],
      )
    },
    async subscribers(hook) {
      const { rows } = await db.query<{ plugin: string }>(
        'SELECT plugin FROM runtime.hook_subscriptions WHERE event = $1 ORDER BY plugin',
        [hook],
      )
      return rows.map((r) => r.plugin)
    },
  }
}
