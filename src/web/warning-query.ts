import { warningCodes, type WarningCode } from '../errors/codes.ts'
import type { StoredWarning } from '../report/stored-warning.ts'
import { warningId } from '../report/warning-id.ts'
import type { WarningAck } from '../runtime/warning-acks.ts'
import type { Severity } from '../store/store-types.ts'
import { compareText } from '../report/compare-text.ts'

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info']
export const STATES = ['open', 'acknowledged', 'all'] as const
export const SORTS = ['lastSeen', 'count', 'plugin', 'severity'] as const
export type WarningState = (typeof STATES)[number]
export type WarningSort = (typeof SORTS)[number]

/** The triage view of the warnings: GET parameters of the landing page and /api/v1/warnings (DESIGN section 8). */
export interface WarningQuery {
  severity: Severity | null
  plugin: string | null
  code: WarningCode | null
  /** Text searched in code, plugin, version, message, detail and where (case-insensitive). */
  q: string | null
  state: WarningState
  sort: WarningSort
}

export const DEFAULT_QUERY: WarningQuery = { severity: null, plugin: null, code: null, q: null, state: 'open', sort: 'lastSeen' }
const PLUGIN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
const MAX_Q = 200

/** A bad parameter: its name, and a message naming the values it takes. */
export interface QueryProblem {
  param: string
  message: string
}

/** Reads and checks the parameters; an empty one counts as absent (a form sends every field). */
export function parseWarningQuery(params: Record<string, string | undefined>): { query: WarningQuery } | { problem: QueryProblem } {
  const given = (k: string) => (params[k] === undefined || params[k] === '' ? null : params[k]!)
  const oneOf = <T extends string>(param: string, allowed: readonly T[], fallback: T | null): T | null | QueryProblem => {
    const v = given(param)
    if (v === null) return fallback
    return (allowed as readonly string[]).includes(v)
      ? (v as T)
      : { param, message: `${param} must be one of ${allowed.join(', ')}; found "${v}"` }
  }
  const severity = oneOf('severity', SEVERITIES, null)
  const state = oneOf('state', STATES, 'open')
  const sort = oneOf('sort', SORTS, 'lastSeen')
  const code = oneOf('code', Object.keys(warningCodes) as WarningCode[], null)
  for (const v of [severity, state, sort]) if (v && typeof v === 'object') return { problem: v }
  if (code && typeof code === 'object')
    return {
      problem: {
        param: 'code',
        message: `code must be a warning code (docs/errors.md lists them: ${Object.keys(warningCodes).join(', ')}); found "${params.code}"`,
      },
    }
  const plugin = given('plugin')
  if (plugin !== null && !PLUGIN_NAME.test(plugin))
    return {
      problem: {
        param: 'plugin',
        message: `plugin must be a plugin name (lowercase letters, digits, ".", "_" and "-", at most 64, such as "ops-banner"); found "${plugin.slice(0, 80)}"`,
      },
    }
  const q = given('q')?.trim() || null
  if (q !== null && q.length > MAX_Q)
    return { problem: { param: 'q', message: `q must be a search text of at most ${MAX_Q} characters; found ${q.length}` } }
  return {
    query: {
      severity: severity as Severity | null,
      plugin,
      code: code as WarningCode | null,
      q,
      state: state as WarningState,
      sort: sort as WarningSort,
    },
  }
}

/** True when the warning was acknowledged and has not been seen since. */
export function isAcknowledged(w: StoredWarning, acks: Map<string, WarningAck>): WarningAck | null {
  if (!acks.size) return null // the usual case: no id to work out for each of thousands of warnings
  const ack = acks.get(warningId(w))
  return ack && w.lastSeen <= ack.at ? ack : null
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }
const SORTERS: Record<WarningSort, (a: StoredWarning, b: StoredWarning) => number> = {
  lastSeen: (a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0),
  count: (a, b) => b.count - a.count,
  plugin: (a, b) => compareText(a.plugin ?? '', b.plugin ?? ''),
  severity: (a, b) => RANK[a.severity] - RANK[b.severity],
}

/** The warnings the query selects, in its order (ties: severity, then plugin, then code, as the report orders them). */
export function selectWarnings(all: StoredWarning[], acks: Map<string, WarningAck>, query: WarningQuery): StoredWarning[] {
  const needle = query.q?.toLowerCase() ?? null
  const picked = all.filter((w) => {
    if (query.severity && w.severity !== query.severity) return false
    if (query.plugin && w.plugin !== query.plugin) return false
    if (query.code && w.code !== query.code) return false
    if (query.state !== 'all' && (isAcknowledged(w, acks) !== null) !== (query.state === 'acknowledged')) return false
    if (needle && ![w.code, w.plugin, w.version, w.message, w.detail, ...w.where].some((s) => s?.toLowerCase().includes(needle)))
      return false
    return true
  })
  const sorter = SORTERS[query.sort]
  return picked
    .map((w, i) => ({ w, i }))
    .sort((a, b) => sorter(a.w, b.w) || a.i - b.i)
    .map((x) => x.w)
}

/** The query as URL parameters, defaults left out (so the plain landing page keeps its plain URL). */
export function queryParams(query: WarningQuery, change: Partial<WarningQuery> = {}): URLSearchParams {
  const q = { ...query, ...change }
  const out = new URLSearchParams()
  for (const key of ['severity', 'plugin', 'code', 'q', 'state', 'sort'] as const) {
    const v = q[key]
    if (v !== null && v !== DEFAULT_QUERY[key]) out.set(key, v)
  }
  return out
}

/** A short key for caches: the parameters that differ from the defaults. */
export const queryKey = (query: WarningQuery) => queryParams(query).toString()
