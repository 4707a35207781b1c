import type { EventRecord } from '../sdk/host-services.ts'

export type JobStatus = EventRecord['status']

export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'done', 'failed', 'cancelled', 'orphaned']

/** The event type of a bot run: the worker runs it itself, with the bot's filters and action. */
export const BOT_RUN = 'app.bot_run'

/** A job to insert. `idempotencyKey` dedupes: a second insert with the same key is ignored. */
export interface NewJob {
  eventType: string
  runAt: number
  description?: string | null
  bot?: string | null
  resource?: string | null
  payload?: unknown
  idempotencyKey?: string | null
  scheduleId?: number | null
  owner?: string | null
}

/** A job a worker holds: `token` proves the claim when it completes. Plain data: it crosses to handler threads. */
export interface ClaimedJob {
  id: number
  token: string
  eventType: string
  description: string | null
  bot: string | null
  resource: string | null
  payload: unknown
  runAt: number
  /** The attempt this run will be if it starts (attempts are counted when a handler starts, not at claim). */
  attempt: number
  owner: string | null
  /** The worker's claim epoch when it claimed the job: a heartbeat gap since then voids the claim (the job must not start). */
  epoch?: number
}

/** The columns a claim returns, on either backend. */
export interface ClaimRow {
  id: number
  event_type: string
  description: string | null
  bot: string | null
  resource: string | null
  payload: string | null
  run_at: number
  attempts: number
  owner: string | null
}

export function toClaimedJob(r: ClaimRow, token: string): ClaimedJob {
  return {
    id: r.id,
    token,
    eventType: r.event_type,
    description: r.description,
    bot: r.bot,
    resource: r.resource,
    payload: r.payload === null ? null : JSON.parse(r.payload),
    runAt: r.run_at,
    attempt: r.attempts + 1,
    owner: r.owner,
  }
}

/**
 * What a handler thread reports for one job. `released`: not run to the end
 * because the worker is stopping (or never started: given back), which is not
 * an attempt. `ms`: how long the handler ran.
 */
export interface JobResult {
  id: number
  token: string
  attempt: number
  outcome: 'done' | 'failed' | 'released'
  error?: string
  ms?: number
  /** The handler threw PermanentError: a failure retrying cannot fix, so no retry. */
  permanent?: boolean
}

/** A handler started on a claimed job: from then on the run counts as an attempt. */
export interface JobStart {
  id: number
  token: string
  attempt: number
  at: number
}

/** A job as `app events` and the JSON API show it. */
export interface JobRecord extends EventRecord {
  owner: string | null
  idempotencyKey: string | null
  scheduleId: number | null
  leaseOwner: string | null
  leaseExpiresAt: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

export interface JobRow {
  id: number
  event_type: string
  description: string | null
  bot: string | null
  resource: string | null
  payload: string | null
  run_at: number
  status: JobStatus
  attempts: number
  lease_owner: string | null
  claim_token: string | null
  lease_expires_at: number | null
  last_error: string | null
  idempotency_key: string | null
  schedule_id: number | null
  owner: string | null
  created_at: number
  started_at: number | null
  finished_at: number | null
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function toJobRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    eventType: r.event_type,
    description: r.description,
    bot: r.bot,
    resource: r.resource,
    payload: r.payload === null ? null : JSON.parse(r.payload),
    status: r.status,
    runAt: iso(r.run_at)!,
    attempts: r.attempts,
    lastError: r.last_error,
    owner: r.owner,
    idempotencyKey: r.idempotency_key,
    scheduleId: r.schedule_id,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: iso(r.lease_expires_at),
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  }
}
