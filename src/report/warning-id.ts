import { createHash } from 'node:crypto'
import type { StoredWarning } from './stored-warning.ts'

const ids = new WeakMap<StoredWarning, string>()
/** Ids by what they hash: a rebuilt report has new objects for the same warnings, and 2,000 hashes cost ~4 ms. */
const byKey = new Map<string, string>()
const MAX_KEYS = 50_000

/**
 * A warning's stable id: a hash of what makes it the same warning (code,
 * plugin, version, message; the keys mergeWarnings merges on), so it names
 * the same warning in every process and across restarts. 16 hex digits.
 */
export function warningId(w: Pick<StoredWarning, 'code' | 'plugin' | 'version' | 'message'>): string {
  const cached = ids.get(w as StoredWarning)
  if (cached) return cached
  const key = JSON.stringify([w.code, w.plugin, w.version, w.message])
  let id = byKey.get(key)
  if (!id) {
    id = createHash('sha256').update(key).digest('hex').slice(0, 16)
    if (byKey.size >= MAX_KEYS) byKey.clear()
    byKey.set(key, id)
  }
  ids.set(w as StoredWarning, id)
  return id
}
