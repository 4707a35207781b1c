import { createHash } from 'node:crypto'
import type { StoredWarning } from './stored-warning.ts'

const ids = new WeakMap<StoredWarning, string>()

/**
 * A warning's stable id: a hash of what makes it the same warning (code,
 * plugin, version, message; the keys mergeWarnings merges on), so it names
 * the same warning in every process and across restarts. 16 hex digits.
 */
export function warningId(w: Pick<StoredWarning, 'code' | 'plugin' | 'version' | 'message'>): string {
  const cached = ids.get(w as StoredWarning)
  if (cached) return cached
  const id = createHash('sha256')
    .update(JSON.stringify([w.code, w.plugin, w.version, w.message]))
    .digest('hex')
    .slice(0, 16)
  ids.set(w as StoredWarning, id)
  return id
}
