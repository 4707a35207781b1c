import { mergeKeys, withoutNulls } from '../hooks/resource-changes.ts'
import type { Resource, ResourcePatch } from '../sdk/host-services.ts'
import type { ResourceInput } from './resource-schema.ts'
import { rowIssues } from './row-issues.ts'

// What a change does to a resource, whichever backend stores it: both inventory adapters (SQLite and
// PostgreSQL) read the stored resource, compute the next one here, and write it with its hook jobs.

const TEXT_FIELDS = ['cloud', 'account', 'region', 'name', 'state'] as const

/** A new resource from an input row: '' for a field left out, null keys dropped. */
export function fromInput(input: ResourceInput): Resource {
  const r: Resource = {
    id: input.id,
    type: input.type,
    cloud: '',
    account: '',
    region: '',
    name: '',
    state: '',
    tags: withoutNulls(input.tags ?? {}),
    properties: withoutNulls(input.properties ?? {}),
  }
  for (const f of TEXT_FIELDS) if (input[f] !== undefined) r[f] = input[f]
  return r
}

/** An input row merged into what is stored: given fields replace, tags and properties merge key by key. */
export function mergeInput(current: Resource, input: ResourceInput): Resource {
  const r: Resource = {
    ...current,
    type: input.type,
    tags: mergeKeys(current.tags, input.tags),
    properties: mergeKeys(current.properties, input.properties),
  }
  for (const f of TEXT_FIELDS) if (input[f] !== undefined) r[f] = input[f]
  return r
}

/** An import row as it lands: as given (replace, or a new id) or merged into the stored resource. */
export const importedResource = (previous: Resource | null, input: ResourceInput, replace: boolean): Resource =>
  replace || !previous ? fromInput(input) : mergeInput(previous, input)

/** How DbObjects.resources.update names itself in errors. */
export const updateCall = (id: string): string => `DbObjects.resources.update(${JSON.stringify(id)})`

/** Throws a TypeError naming the call, what was expected and what was found, for a patch of the wrong shape. */
export function checkPatch(call: string, patch: ResourcePatch): void {
  const fail = (what: string, found: unknown) => new TypeError(`${call}: expected ${what}; found ${JSON.stringify(found)?.slice(0, 120)}`)
  if (typeof patch !== 'object' || patch === null) throw fail('a patch {state?, tags?, properties?}', patch)
  if (patch.state !== undefined && typeof patch.state !== 'string') throw fail('state to be a string', patch.state)
  if (
    patch.tags !== undefined &&
    (typeof patch.tags !== 'object' || patch.tags === null || Object.values(patch.tags).some((v) => v !== null && typeof v !== 'string'))
  ) {
    throw fail('tags to be an object of strings (null removes a tag)', patch.tags)
  }
  if (
    patch.properties !== undefined &&
    (typeof patch.properties !== 'object' || patch.properties === null || Array.isArray(patch.properties))
  ) {
    throw fail('properties to be an object (null removes a property)', patch.properties)
  }
}

/** DbObjects.resources.update on what is stored: state replaces, tags and properties merge (null removes a key). */
export function patchedResource(id: string, current: Resource | null, patch: ResourcePatch): Resource {
  if (!current)
    throw new Error(
      `${updateCall(id)}: no resource with id "${id}"; create it with DbObjects.resources.create(resource) or \`app resources import\`.`,
    )
  return {
    ...current,
    state: patch.state ?? current.state,
    tags: mergeKeys(current.tags, patch.tags),
    properties: mergeKeys(current.properties, patch.properties),
  }
}

const CREATE_CALL = 'DbObjects.resources.create(resource)'

/**
 * DbObjects.resources.create's argument as a new resource; a TypeError listing each bad field otherwise. The
 * schema (zod, about 25 ms to start) loads on the first create, not in every thread that might call it.
 */
export async function newResource(input: unknown): Promise<Resource> {
  const { resourceInputSchema } = await import('./resource-schema.ts')
  const parsed = resourceInputSchema.safeParse(input)
  if (!parsed.success) {
    const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : null
    throw new TypeError(
      `${CREATE_CALL}: ${rowIssues(0, id, input, parsed.error)
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ')}. A resource is {id, type, cloud?, account?, region?, name?, state?, tags?, properties?}.`,
    )
  }
  return fromInput(parsed.data)
}

/** The error of DbObjects.resources.create for an id already in the inventory. */
export const resourceExists = (id: string): Error =>
  new Error(`${CREATE_CALL}: a resource with id "${id}" already exists; change it with DbObjects.resources.update(id, patch).`)
