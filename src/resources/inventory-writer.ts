import { createHookRaiser } from '../hooks/hook-subscriptions.ts'
import { mergeKeys, resourceChanges, withoutNulls } from '../hooks/resource-changes.ts'
import type { Resource, ResourcePatch } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import { resourceParams, toResource, UPSERT_RESOURCE, type ResourceRow } from './resource-rows.ts'
import { resourceInputSchema, type ResourceInput } from './resource-schema.ts'
import { rowIssues } from './row-issues.ts'

export type InventoryChange = 'created' | 'modified' | 'deleted'

const TEXT_FIELDS = ['cloud', 'account', 'region', 'name', 'state'] as const

/** A new resource from an input row: '' for a field left out, null keys dropped. */
function fromInput(input: ResourceInput): Resource {
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
function mergeInput(current: Resource, input: ResourceInput): Resource {
  const r: Resource = {
    ...current,
    type: input.type,
    tags: mergeKeys(current.tags, input.tags),
    properties: mergeKeys(current.properties, input.properties),
  }
  for (const f of TEXT_FIELDS) if (input[f] !== undefined) r[f] = input[f]
  return r
}

function checkPatch(call: string, patch: ResourcePatch): void {
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

/**
 * Every write to the resource inventory goes through here: `app resources import` (merge or --replace)
 * and DbObjects.resources.create / update / delete. Each change raises its resource hook (one job per
 * subscribed plugin, not the actor's own) in the caller's transaction. A write that changes nothing
 * raises nothing. Sync: callers hold the transaction.
 */
export function createInventoryWriter(db: Db, options: { oneTransaction?: boolean } = {}) {
  const q = {
    get: db.prepare('SELECT * FROM resources WHERE id = ?'),
    upsert: db.prepare(UPSERT_RESOURCE),
    remove: db.prepare('DELETE FROM resources WHERE id = ?'),
    ids: db.prepare('SELECT id FROM resources').pluck(),
  }
  // A writer used inside one transaction (an import) reads the subscriptions once.
  const raise = createHookRaiser(db, { snapshot: options.oneTransaction })
  const get = (id: string): Resource | null => {
    const row = q.get.get(id) as ResourceRow | undefined
    return row ? toResource(row) : null
  }
  const write = (previous: Resource | null, resource: Resource, actor: string | null): InventoryChange | null => {
    const changes = resourceChanges(previous, resource)
    if (!changes) return null
    const now = Date.now()
    q.upsert.run(resourceParams(resource, new Date(now).toISOString()))
    raise(previous ? 'resource.modified' : 'resource.created', { resource, previous, changes }, actor, now)
    return previous ? 'modified' : 'created'
  }
  const remove = (id: string, actor: string | null): Resource | null => {
    const previous = get(id)
    if (!previous) return null
    q.remove.run(id)
    raise('resource.deleted', { resource: previous, previous, changes: {} }, actor)
    return previous
  }

  return {
    get,
    /** All ids, for --replace. */
    ids: (): string[] => q.ids.all() as string[],
    /** An import row: merged into the stored resource, or (replace) written as given. */
    put(input: ResourceInput, replace: boolean, actor: string | null): InventoryChange | null {
      const previous = get(input.id)
      return write(previous, replace || !previous ? fromInput(input) : mergeInput(previous, input), actor)
    },
    /** DbObjects.resources.update: state replaces, tags and properties merge (null removes a key). */
    patch(id: string, patch: ResourcePatch, actor: string | null): Resource {
      const call = `DbObjects.resources.update(${JSON.stringify(id)})`
      checkPatch(call, patch)
      const current = get(id)
      if (!current)
        throw new Error(
          `${call}: no resource with id "${id}"; create it with DbObjects.resources.create(resource) or \`app resources import\`.`,
        )
      const next: Resource = {
        ...current,
        state: patch.state ?? current.state,
        tags: mergeKeys(current.tags, patch.tags),
        properties: mergeKeys(current.properties, patch.properties),
      }
      write(current, next, actor)
      return next
    },
    /** DbObjects.resources.create: a new resource; an id already in the inventory is an error. */
    create(input: unknown, actor: string | null): Resource {
      const call = 'DbObjects.resources.create(resource)'
      const parsed = resourceInputSchema.safeParse(input)
      if (!parsed.success) {
        const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : null
        throw new TypeError(
          `${call}: ${rowIssues(0, id, input, parsed.error)
            .map((i) => `${i.field}: ${i.message}`)
            .join('; ')}. A resource is {id, type, cloud?, account?, region?, name?, state?, tags?, properties?}.`,
        )
      }
      if (get(parsed.data.id))
        throw new Error(
          `${call}: a resource with id "${parsed.data.id}" already exists; change it with DbObjects.resources.update(id, patch).`,
        )
      const resource = fromInput(parsed.data)
      write(null, resource, actor)
      return resource
    },
    remove,
  }
}

export type InventoryWriter = ReturnType<typeof createInventoryWriter>
