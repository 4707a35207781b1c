// The port of the operator's console tables: warning acknowledgements, plugin requests and the audit list. The
// web role and the CLI write them; the scheduler applies the requests. The SQLite adapter (sqlite-console.ts)
// wraps warning-acks.ts, plugin-requests.ts and audit-log.ts; the PostgreSQL one is postgres-console.ts;
// test/contract/console.unit.test.ts runs one suite on both.
import type { AuditEntry, NewAuditEntry } from './audit-log.ts'
import type { PluginAction, PluginRequest } from './plugin-requests.ts'
import type { WarningAck } from './warning-acks.ts'

export interface WarningAcks {
  /** Records (or replaces) the acknowledgement of a warning, with its audit entry, in one transaction. */
  ack(a: Omit<WarningAck, 'at'>): Promise<WarningAck>
  /** Every acknowledgement, by warning id. */
  all(): Promise<Map<string, WarningAck>>
}

/** The scheduler's verdict on a request; null: not yet (files still settling), it stays pending. */
export type RequestOutcome = { status: 'done' | 'failed'; message: string; generation?: number | null } | null

export interface PluginRequests {
  /** Queues a disable, enable or rollback and opens its audit entry ('pending'), in one transaction. */
  request(r: { plugin: string; action: PluginAction; version?: string | null; by: string }): Promise<PluginRequest>
  get(id: number): Promise<PluginRequest | null>
  /** Requests not applied yet, oldest first. */
  pending(): Promise<PluginRequest[]>
  /** Cheap enough to poll every half second. */
  hasPending(): Promise<boolean>
  /** One plugin's latest requests, newest first. */
  forPlugin(plugin: string, limit?: number): Promise<PluginRequest[]>
  /**
   * The scheduler's pass: claims the pending requests oldest first, one at a time, runs `apply` on each and
   * records its outcome on the request and its audit entry. Two passes that race never apply one request twice:
   * a request another pass holds is skipped. Returns the requests it finished, as they now stand. When `apply`
   * throws, the request stays pending and the error propagates.
   */
  applyPending(apply: (request: PluginRequest) => Promise<RequestOutcome>): Promise<PluginRequest[]>
}

export interface AuditLog {
  /** Appends an action done outside a request (settings, event retry or cancel); returns its id. */
  record(e: NewAuditEntry): Promise<number>
  /** The newest actions first; `plugin` narrows to one plugin's. */
  list(options?: { limit?: number; offset?: number; plugin?: string }): Promise<{ total: number; entries: AuditEntry[] }>
}

export interface ConsoleStore {
  acks: WarningAcks
  requests: PluginRequests
  audit: AuditLog
  /**
   * A token of what the admin console shows from the runtime tables: it changes with a load report, a run-time
   * error (also one counted again), a setting, an acknowledgement, a new or finished request, and a process that
   * starts, stops, loads another generation or goes silent as of `now` (default the clock). Heartbeats alone
   * leave it as it was, so the web role rebuilds its pages only when they would show something else.
   */
  changeToken(now?: number): Promise<string>
}
