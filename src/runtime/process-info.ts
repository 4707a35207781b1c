import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Warning } from '../store/store-types.ts'

export interface ProcessInfo {
  id: string
  role: string
  host: string
  pid: number
  version: string
  startedAt: string
  heartbeatAt: string
  stoppedAt: string | null
  generation: number | null
  live: boolean
}

export interface LoadReport {
  plugin: string
  version: string | null
  status: 'loaded' | 'failed' | 'skipped' | 'unloaded'
  durationMs: number | null
  warnings: Warning[]
}

/** A load report as stored: which process made it, and when. */
export interface StoredLoadReport extends LoadReport {
  processId: string
  updatedAt: string
}

/** A heartbeat older than this means the process is gone (crashed or killed). */
export const STALE_AFTER_MS = 15_000

/** This process's registry id; the random suffix: two registrations in one process within the same millisecond must not collide. */
export const newProcessId = (startedAt: string): string => `${hostname()}:${process.pid}:${startedAt}:${randomUUID().slice(0, 8)}`

export type ProcessRow = Record<string, unknown>

/** A processes row as callers see it, live when not stopped and its heartbeat is within STALE_AFTER_MS of `now`. */
export function toProcessInfo(r: ProcessRow, now: number): ProcessInfo {
  return {
    id: r.id as string,
    role: r.role as string,
    host: r.host as string,
    pid: r.pid as number,
    version: r.version as string,
    startedAt: r.started_at as string,
    heartbeatAt: r.heartbeat_at as string,
    stoppedAt: (r.stopped_at as string | null) ?? null,
    generation: (r.generation as number | null) ?? null,
    live: r.stopped_at == null && Date.parse(r.heartbeat_at as string) >= now - STALE_AFTER_MS,
  }
}

const parsed = new Map<string, Warning[]>()

/**
 * A load report's warnings, parsed once per distinct JSON text: the web role rebuilds its report for
 * each publish, acknowledgement or process change, and parsing the same rows again (2,000 warnings
 * in the benchmark) was a third of the report's time. Shared between calls: read-only to callers.
 */
function parseWarnings(json: string): Warning[] {
  let warnings = parsed.get(json)
  if (!warnings) {
    if (parsed.size >= 2000) parsed.clear()
    warnings = JSON.parse(json) as Warning[]
    parsed.set(json, warnings)
  }
  return warnings
}

/** A load_reports row as callers see it (its warnings shared with other reads of the same text: do not change them). */
export function toLoadReport(r: ProcessRow): StoredLoadReport {
  return {
    processId: r.process_id as string,
    plugin: r.plugin as string,
    version: (r.version as string | null) ?? null,
    status: r.status as LoadReport['status'],
    durationMs: (r.duration_ms as number | null) ?? null,
    warnings: parseWarnings(r.warnings as string),
    updatedAt: r.updated_at as string,
  }
}
