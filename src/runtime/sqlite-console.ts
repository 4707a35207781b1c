import type { Db } from '../store/open-database.ts'
import { STALE_AFTER_MS } from './process-info.ts'
import { listAudit, recordAudit } from './audit-log.ts'
import type { ConsoleStore, PluginRequests } from './console-port.ts'
import {
  finishPluginRequest,
  hasPendingPluginRequests,
  pendingPluginRequests,
  pluginRequest,
  pluginRequestsFor,
  requestPluginAction,
} from './plugin-requests.ts'
import { ackWarning, readWarningAcks } from './warning-acks.ts'

// Requests a pass of this process is applying, per runtime.db file: one scheduler per data directory (the
// writer lock), so two passes can only race inside it, and no SQLite transaction may stay open across the
// awaits of a publish (it would stall every worker's writes).
const applying = new Map<string, Set<number>>()

/** The console tables in runtime.db (the embedded default): today's functions behind the ConsoleStore port. */
export function createSqliteConsole(db: Db): ConsoleStore {
  // Run-time errors count up rows rather than add them: their total count changes with each one recorded.
  const state = db
    .prepare(`SELECT (SELECT count(*) || '/' || ifnull(max(updated_at), '') FROM load_reports) || '|' ||
    (SELECT count(*) || '/' || ifnull(sum(count), 0) FROM runtime_errors) || '|' ||
    (SELECT count(*) || '/' || ifnull(max(updated_at), '') FROM plugin_settings) || '|' ||
    (SELECT count(*) || '/' || ifnull(max(acked_at), '') FROM warning_acks) || '|' ||
    (SELECT ifnull(max(id), 0) || '/' || ifnull(max(finished_at), '') FROM plugin_requests) || '|' ||
    ifnull((SELECT group_concat(id || '/' || ifnull(generation, '-') || '/' || (heartbeat_at >= ?), ',') FROM processes WHERE stopped_at IS NULL), '')`)
    .pluck()
  return {
    changeToken: async (now = Date.now()) => state.get(new Date(now - STALE_AFTER_MS).toISOString()) as string,
    acks: {
      ack: async (a) => ackWarning(db, a),
      all: async () => readWarningAcks(db),
    },
    requests: sqliteRequests(db),
    audit: {
      record: async (e) => recordAudit(db, e),
      list: async (options) => listAudit(db, options),
    },
  }
}

function sqliteRequests(db: Db): PluginRequests {
  return {
    request: async (r) => requestPluginAction(db, r),
    get: async (id) => pluginRequest(db, id),
    pending: async () => pendingPluginRequests(db),
    hasPending: async () => hasPendingPluginRequests(db),
    forPlugin: async (plugin, limit) => pluginRequestsFor(db, plugin, limit),
    async applyPending(apply) {
      let held = applying.get(db.name)
      if (!held) applying.set(db.name, (held = new Set()))
      const finished = []
      let after = 0
      for (;;) {
        // Read and marked in one synchronous step: no other pass runs in between.
        const next = pendingPluginRequests(db).find((r) => r.id > after && !held.has(r.id))
        if (!next) return finished
        after = next.id
        held.add(next.id)
        try {
          const outcome = await apply(next)
          if (outcome) {
            finishPluginRequest(db, next.id, outcome)
            finished.push(pluginRequest(db, next.id)!)
          }
        } finally {
          held.delete(next.id)
        }
      }
    },
  }
}
