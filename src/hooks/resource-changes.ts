import { isDeepStrictEqual } from 'node:util'
import type { Resource, ResourceChange } from '../sdk/host-services.ts'

const FIELDS = ['type', 'cloud', 'account', 'region', 'name', 'state'] as const

/** Keys of `next` that differ from `prev`, with their new value; a key gone from `next` is null. */
function keyChanges(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(next)) if (!(k in prev) || !isDeepStrictEqual(prev[k], v)) out[k] = v
  for (const k of Object.keys(prev)) if (!(k in next)) out[k] = null
  return Object.keys(out).length ? out : null
}

/**
 * What differs between two states of a resource: each changed top-level field with its new value, and
 * under `tags` / `properties` each changed key. null when nothing differs (no hook is raised for it).
 * A new resource (prev null) differs in every field and key it has.
 */
export function resourceChanges(prev: Resource | null, next: Resource): ResourceChange['changes'] | null {
  const changes: ResourceChange['changes'] = {}
  for (const f of FIELDS) if (!prev || prev[f] !== next[f]) changes[f] = next[f]
  const tags = keyChanges(prev?.tags ?? {}, next.tags)
  if (tags) changes.tags = tags as Record<string, string | null>
  const properties = keyChanges(prev?.properties ?? {}, next.properties)
  if (properties) changes.properties = properties
  return Object.keys(changes).length ? changes : null
}

/**
 * Applies a merge to a record: each key of `patch` replaces the one there, and a null value removes it
 * (DbObjects.resources.update and `app resources import` without --replace).
 */
export function mergeKeys<T>(current: Record<string, T>, patch: Record<string, T | null> | undefined): Record<string, T> {
  if (!patch) return current
  const out = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = v
  }
  return out
}

/** A record without its null values: what a new resource keeps of a patch-shaped input. */
export const withoutNulls = <T>(record: Record<string, T | null>): Record<string, T> => mergeKeys({}, record)
