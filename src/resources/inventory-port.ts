// The resource inventory's port: what plugins (DbObjects.resources, through HostServices), bot runs and
// `app resources import` do with resources, whatever holds them. The SQLite adapter (sqlite-inventory.ts, over
// inventory-writer.ts and import-resources.ts) and the PostgreSQL one (postgres-inventory.ts) both give exactly
// this, and test/contract/resources.unit.test.ts runs one suite on both.
import type { Resource, ResourcePatch, ResourceQuery } from '../sdk/host-services.ts'
import type { ImportResult } from './import-rows.ts'

/**
 * Every change commits together with the hook jobs it raises (one per plugin subscribed to the hook, never
 * the actor's own), or neither does; a change that changes nothing raises nothing.
 */
export interface Inventory {
  get(id: string): Promise<Resource | null>
  /** Resources matching every given field and tag, ordered by id (byte order, as SQLite sorts). */
  find(query?: ResourceQuery): Promise<Resource[]>
  /** State replaces; tags and properties merge key by key, a null value removing the key. Unknown id: an error. */
  update(id: string, patch: ResourcePatch, actor?: string | null): Promise<Resource>
  /** Adds a resource (an existing id is an error) and raises resource.created. */
  create(resource: unknown, actor?: string | null): Promise<Resource>
  /** Removes a resource and raises resource.deleted; false when there was none. */
  delete(id: string, actor?: string | null): Promise<boolean>
  /** `app resources import`: a JSON array merged in (or with `replace`, the inventory becomes it), in one transaction. */
  import(data: unknown, options?: { replace?: boolean; actor?: string | null }): Promise<ImportResult>
}
