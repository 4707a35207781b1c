import { createHookRaiser } from '../hooks/hook-subscriptions.ts'
import { resourceChanges } from '../hooks/resource-changes.ts'
import type { Resource, ResourcePatch } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import { checkPatch, importedResource, patchedResource, resourceExists, updateCall } from './resource-edits.ts'
import { resourceParams, toResource, UPSERT_RESOURCE, type ResourceRow } from './resource-rows.ts'
import type { ResourceInput } from './resource-schema.ts'

export type InventoryChange = 'created' | 'modified' | 'deleted'

/**
 * Every write to the resource inventory in runtime.db goes through here: `app resources import` (merge or
 * --replace) and DbObjects.resources.create / update / delete. Each change raises its resource hook (one job
 * per subscribed plugin, not the actor's own) in the caller's transaction. A write that changes nothing
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
      return write(previous, importedResource(previous, input, replace), actor)
    },
    /** DbObjects.resources.update: state replaces, tags and properties merge (null removes a key). */
    patch(id: string, patch: ResourcePatch, actor: string | null): Resource {
      checkPatch(updateCall(id), patch)
      const current = get(id)
      const next = patchedResource(id, current, patch)
      write(current, next, actor)
      return next
    },
    /** DbObjects.resources.create, of a resource newResource checked: an id already in the inventory is an error. */
    create(resource: Resource, actor: string | null): Resource {
      if (get(resource.id)) throw resourceExists(resource.id)
      write(null, resource, actor)
      return resource
    },
    remove,
  }
}

export type InventoryWriter = ReturnType<typeof createInventoryWriter>
