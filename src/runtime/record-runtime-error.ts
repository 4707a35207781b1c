import { hostname } from 'node:os'
import type { WarningCode } from '../errors/codes.ts'
import type { Db } from '../store/open-database.ts'

/** One failure of plugin code at run time: a handler, filter, action, hook or route that threw, timed out or crashed its thread. */
export interface RuntimeErrorEntry {
  plugin: string
  version: string | null
  /** Defaults to RUNTIME_ERROR. */
  code?: WarningCode
  /** What failed, stable across repeats (no job ids, no times): repeats of one failure count up one row. */
  message: string
  /** The stack, or whatever says where; paths in the plugin's cache directory are shown as <plugin>/. */
  detail?: string | null
  /** role@host:pid of the process that saw it; placeOf(role) builds it. */
  where: string
  at?: Date
}

/** Distinct messages kept per plugin version and code; later distinct ones are counted on one overflow row. */
export const MAX_DISTINCT_RUNTIME_ERRORS = 50

/** The message of the row that counts a plugin version's distinct failures past the limit. */
export const overflowMessage = (plugin: string, version: string) =>
  `more than ${MAX_DISTINCT_RUNTIME_ERRORS} distinct run-time failures of ${plugin} ${version || ''}: later ones are counted here; the detail holds the latest`

/** How the report and the admin page name a process: role@host:pid. */
export const placeOf = (role: string) => `${role}@${hostname()}:${process.pid}`

const statements = new WeakMap<Db, ReturnType<typeof prepare>>()

function prepare(db: Db) {
  const exists = db.prepare('SELECT 1 FROM runtime_errors WHERE plugin = ? AND version = ? AND code = ? AND message = ?').pluck()
  const distinct = db.prepare('SELECT count(*) FROM runtime_errors WHERE plugin = ? AND version = ? AND code = ?').pluck()
  const upsert = db.prepare(`INSERT INTO runtime_errors (plugin, version, code, message, count, first_seen, last_seen, detail, place)
    VALUES (@plugin, @version, @code, @message, 1, @at, @at, @detail, @where)
    ON CONFLICT (plugin, version, code, message) DO UPDATE SET count = count + 1, last_seen = max(last_seen, excluded.last_seen),
      detail = excluded.detail, place = excluded.place`)
  const record = db.transaction(
    (row: { plugin: string; version: string; code: string; message: string; detail: string | null; where: string; at: string }) => {
      // A plugin that puts ids in its error messages must not grow the table without bound.
      if (
        !exists.get(row.plugin, row.version, row.code, row.message) &&
        (distinct.get(row.plugin, row.version, row.code) as number) >= MAX_DISTINCT_RUNTIME_ERRORS
      ) {
        const latest = `${row.message}\n${row.detail ?? ''}`
        row = {
          ...row,
          message: overflowMessage(row.plugin, row.version),
          detail: latest,
        }
      }
      upsert.run(row)
    },
  )
  return { record }
}

/**
 * Records a run-time failure of plugin code in runtime.db (table runtime_errors):
 * one row per plugin, version, code and message, with how often, first and last
 * seen, the last stack and where. `app plugins warnings`, `app plugins show`,
 * /api/v1/warnings and the admin page show these rows with the load warnings.
 * Any process that runs plugin code calls it (worker threads included: each has
 * its own connection). Never throws for a busy database: the failure is logged
 * by the caller anyway, a lost count is better than a failed job.
 */
export async function recordRuntimeError(db: Db, entry: RuntimeErrorEntry): Promise<boolean> {
  let s = statements.get(db)
  if (!s) statements.set(db, (s = prepare(db)))
  const version = entry.version ?? ''
  try {
    s.record.immediate({
      plugin: entry.plugin,
      version,
      code: entry.code ?? 'RUNTIME_ERROR',
      message: entry.message,
      detail: entry.detail ? mapStack(entry.detail, entry.plugin, version) : null,
      where: entry.where,
      at: (entry.at ?? new Date()).toISOString(),
    })
    return true
  } catch {
    return false
  }
}

/** Paths into data/cache/<sha256>/ (file URLs or plain) read as <plugin>/<file> (DESIGN section 4): the plugin's own file names. */
export function mapStack(stack: string, plugin: string, _version: string): string {
  return stack.replace(/(?:file:\/\/)?[^\s()]*?[/\\]cache[/\\][0-9a-f]{64}[/\\]/g, `${plugin}/`)
}
