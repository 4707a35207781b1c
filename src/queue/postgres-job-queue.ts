import { randomUUID } from 'node:crypto'
import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { JobQueue, JobQueueOptions } from './job-queue.ts'
import { BOT_RUN, type ClaimRow, toClaimedJob } from './job-types.ts'
import { completeJobs } from './postgres-complete-jobs.ts'
import { notifyJobs } from './postgres-notify-jobs.ts'

// Bot runs are claimable by every worker; events only by one that registers their type.
// SKIP LOCKED: concurrent claimers each take other rows instead of queueing on the same ones; the row locks
// hold until the claim commits, and the lock rechecks the status on the latest row version.
// Attempts count handler starts, not claims: started_at is NULL from the claim until a handler starts on it.
//
// The claim's plan must walk jobs_due in run_at order and stop after `limit` rows. Without fresh statistics (a new
// table, or a burst larger than the last ANALYZE saw) the planner expects a few due rows and picks a bitmap scan
// that reads and sorts every due row instead: each claim then costs in proportion to the backlog. Measured on
// 20,000 due jobs: 9 ms a claim that way, 7 ms walking the index. Hence SET LOCAL, in the claim's transaction.
//
// The transaction, the setting, the claim and the commit go as one simple query: one round trip, where three
// (BEGIN and SET, the claim, COMMIT) each waited on a worker event loop busy with the last claim's jobs, and cost
// the worker role a tenth of its rate (bench/postgres-queue.bench.ts, alternating rounds). A simple query takes no
// parameters, so the values go in as literals: numbers, a UUID of ours, and strings quoted by the driver.
type Quote = (value: string) => string
interface ClaimValues {
  now: number
  types: string[]
  owner: string
  token: string
  leaseUntil: number
  limit: number
}
const claimTransaction = (v: ClaimValues, quote: Quote) => `BEGIN; SET LOCAL enable_bitmapscan = off;
  WITH claimed AS (
    UPDATE runtime.jobs SET status = 'running', lease_owner = ${quote(v.owner)}, claim_token = ${quote(v.token)},
      lease_expires_at = ${int(v.leaseUntil)}, started_at = NULL
    WHERE id IN (SELECT id FROM runtime.jobs
      WHERE status IN ('pending', 'orphaned') AND run_at <= ${int(v.now)}
        AND (event_type = '${BOT_RUN}' OR event_type = ANY(ARRAY[${v.types.map(quote).join(', ')}]::text[]))
      ORDER BY run_at LIMIT ${int(v.limit)} FOR UPDATE SKIP LOCKED)
    RETURNING id, event_type, description, bot, resource, payload, run_at, attempts, owner)
  SELECT * FROM claimed ORDER BY run_at, id;
  COMMIT`
/** An integer as SQL text; anything else is a bug of ours, never written into a query. */
function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer for the claim, found ${n}`)
  return String(n)
}

const STARTED = `UPDATE runtime.jobs j SET attempts = s.attempt, started_at = s.at
  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[]) AS s (id, token, attempt, at)
  WHERE j.id = s.id AND j.claim_token = s.token AND j.status = 'running' AND j.started_at IS NULL
  RETURNING j.id`

const HELD = `SELECT j.id FROM runtime.jobs j JOIN unnest($1::bigint[], $2::text[]) AS s (id, token)
  ON j.id = s.id AND j.claim_token = s.token WHERE j.status = 'running'`

// Renewals skip the rows another transaction holds: results being written (in their own order, so waiting on them
// could deadlock), a requeue, a cancel. Those leases end anyway; a row still running is renewed by the next one.
const HELD_BY_OWNER = `SELECT id FROM runtime.jobs WHERE status = 'running' AND lease_owner = $1 FOR UPDATE SKIP LOCKED`

// Heartbeat and lease renewal in one statement (so one commit): a data-modifying WITH runs even when unread.
const CONFIRM = `WITH beat AS (UPDATE runtime.processes SET heartbeat_at = $2 WHERE id = $1 AND stopped_at IS NULL RETURNING id),
    renew AS (UPDATE runtime.jobs SET lease_expires_at = $3 WHERE id IN (${HELD_BY_OWNER}))
  SELECT count(*)::int AS alive FROM beat`

const NEXT_DUE = `SELECT run_at FROM runtime.jobs WHERE status IN ('pending', 'orphaned')
  AND (event_type = '${BOT_RUN}' OR event_type = ANY($1::text[])) ORDER BY run_at LIMIT 1`

const RENEW = `UPDATE runtime.jobs SET lease_expires_at = $2 WHERE id IN (${HELD_BY_OWNER})`

// A release is not an attempt: the handler was stopped by a shutdown (or never started), not by its own failure.
const RELEASE_ALL = `UPDATE runtime.jobs SET status = 'pending', attempts = attempts - (started_at IS NOT NULL)::int, started_at = NULL,
    lease_owner = NULL, claim_token = NULL, lease_expires_at = NULL
  WHERE status = 'running' AND lease_owner = $1 RETURNING run_at`

// SKIP LOCKED: a row locked is being claimed (or marked by another worker): not this worker's to mark.
const ORPHAN = `UPDATE runtime.jobs SET status = 'orphaned' WHERE id IN (SELECT id FROM runtime.jobs
    WHERE status = 'pending' AND run_at <= $1 AND event_type <> '${BOT_RUN}' AND NOT (event_type = ANY($2::text[])) FOR UPDATE SKIP LOCKED)
  RETURNING event_type, owner`

/** The worker's side of the queue on PostgreSQL (runtime.jobs), on the worker role's pool: the same guarantees as createJobQueue. */
export function createPostgresJobQueue(pool: PgPool, options: JobQueueOptions): JobQueue {
  const { owner, leaseMs, maxAttempts } = options
  const clock = options.clock ?? Date.now
  // The worker passes the same JSON string round after round: parse it once.
  let typesJson = ''
  let typesList: string[] = []
  const list = (types: string): string[] => {
    if (types !== typesJson) {
      typesList = JSON.parse(types) as string[]
      typesJson = types
    }
    return typesList
  }

  return {
    async claim(limit, types) {
      const now = clock()
      const token = randomUUID()
      const client = await pool.connect()
      try {
        const values = { now, types: list(types), owner, token, leaseUntil: now + leaseMs, limit }
        // One result per statement: BEGIN, SET, the claim, COMMIT.
        const results = (await client.query(claimTransaction(values, (v) => client.escapeLiteral(v)))) as unknown as Array<{
          rows: ClaimRow[]
        }>
        return results[2]!.rows.map((r) => toClaimedJob(r, token))
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async markStarted(starts) {
      if (!starts.length) return []
      const ids = starts.map((s) => s.id)
      const tokens = starts.map((s) => s.token)
      const { rows } = await pool.query<{ id: number }>(STARTED, [ids, tokens, starts.map((s) => s.attempt), starts.map((s) => s.at)])
      if (rows.length === starts.length) return []
      // Not updated: either started before (a flush retried) and still held, or the claim is gone. A fresh read tells.
      const updated = new Set(rows.map((r) => r.id))
      const rest = starts.filter((s) => !updated.has(s.id))
      const held = await pool.query<{ id: number }>(HELD, [rest.map((s) => s.id), rest.map((s) => s.token)])
      const still = new Set(held.rows.map((r) => r.id))
      return rest.filter((s) => !still.has(s.id)).map((s) => s.id)
    },
    async confirm() {
      const at = Date.now()
      const { rows } = await pool.query<{ alive: number }>(CONFIRM, [owner, new Date(at).toISOString(), at + leaseMs])
      return rows[0]!.alive > 0 ? at : null
    },
    async complete(results) {
      return results.length ? completeJobs(pool, results, { now: clock(), maxAttempts }) : []
    },
    async nextDueAt(types) {
      const { rows } = await pool.query<{ run_at: number }>(NEXT_DUE, [list(types)])
      return rows[0]?.run_at ?? null
    },
    async renew() {
      return (await pool.query(RENEW, [owner, Date.now() + leaseMs])).rowCount ?? 0
    },
    async releaseAll() {
      return withTransaction(pool, async (c) => {
        const { rows } = await c.query<{ run_at: number }>(RELEASE_ALL, [owner])
        await notifyJobs(c, rows)
        return rows.length
      })
    },
    async markOrphaned(types) {
      const { rows } = await pool.query<{ event_type: string; owner: string | null }>(ORPHAN, [Date.now(), list(types)])
      return rows.map((r) => ({ eventType: r.event_type, owner: r.owner }))
    },
  }
}
