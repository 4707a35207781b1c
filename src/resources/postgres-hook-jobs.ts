import { hookDeliveries } from '../hooks/hook-deliveries.ts'
import type { PgClient } from '../postgres/open-postgres.ts'
import { JOBS_CHANNEL } from '../queue/postgres-notify-jobs.ts'
import type { ResourceChange, ResourceHookName } from '../sdk/host-services.ts'

export interface RaisedHook {
  hook: ResourceHookName
  change: ResourceChange
}

// The jobs and the workers' wake-up in one statement, so they commit with the resource change or not at all.
const INSERT = `WITH inserted AS (
    INSERT INTO runtime.jobs (event_type, owner, description, resource, payload, run_at, created_at)
    SELECT j.*, $6::bigint, $6::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
      AS j (event_type, owner, description, resource, payload)
    RETURNING 1)
  SELECT count(*)::int AS n, CASE WHEN count(*) > 0 THEN pg_notify('${JOBS_CHANNEL}', $6::bigint::text) END AS notified FROM inserted`

/**
 * Queues the deliveries of resource changes (one job per plugin subscribed to each hook, never the actor's own)
 * on the client that holds the changes' transaction. The subscriptions are read once for the whole batch (an
 * import raises thousands). Returns how many jobs were queued.
 */
export async function raisePostgresHooks(c: PgClient, raised: RaisedHook[], actor: string | null, now: number): Promise<number> {
  if (!raised.length) return 0
  const { rows } = await c.query<{ event: string; plugin: string }>('SELECT event, plugin FROM runtime.hook_subscriptions')
  if (!rows.length) return 0
  const subscribers = new Map<string, string[]>()
  for (const r of rows) subscribers.set(r.event, [...(subscribers.get(r.event) ?? []), r.plugin])
  const jobs = raised.flatMap((r) => hookDeliveries(r.hook, r.change, actor, subscribers.get(r.hook) ?? []))
  if (!jobs.length) return 0
  const column = (pick: (j: (typeof jobs)[number]) => string) => jobs.map(pick)
  await c.query(INSERT, [
    column((j) => j.type),
    column((j) => j.plugin),
    column((j) => j.description),
    column((j) => j.resource),
    column((j) => j.payload),
    now,
  ])
  return jobs.length
}
