import type { Resource, ResourcePatch } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import type { Inventory } from './inventory-port.ts'
import { createInventoryWriter } from './inventory-writer.ts'
import { newResource } from './resource-edits.ts'
import { toResource, type ResourceRow } from './resource-rows.ts'

/** The inventory in runtime.db (the embedded default): the existing SQLite code behind the Inventory port. */
export function createSqliteInventory(db: Db): Inventory {
  const get = db.prepare('SELECT * FROM resources WHERE id = ?')
  // Each change and the hook deliveries it raises commit together (DESIGN 5b).
  const writer = createInventoryWriter(db)
  const update = db.transaction((id: string, patch: ResourcePatch, actor: string | null): Resource => writer.patch(id, patch, actor))
  const create = db.transaction((resource: Resource, actor: string | null): Resource => writer.create(resource, actor))
  const remove = db.transaction((id: string, actor: string | null): boolean => writer.remove(id, actor) !== null)
  return {
    async get(id) {
      const row = get.get(id) as ResourceRow | undefined
      return row ? toResource(row) : null
    },
    async find(query = {}) {
      const where: string[] = []
      const params: Record<string, string> = {}
      for (const key of ['type', 'cloud', 'region', 'state'] as const) {
        if (query[key] !== undefined) {
          where.push(`${key} = @${key}`)
          params[key] = query[key]
        }
      }
      const rows = db
        .prepare(`SELECT * FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
        .all(params) as ResourceRow[]
      const tags = Object.entries(query.tags ?? {})
      return rows.map(toResource).filter((r) => tags.every(([k, v]) => r.tags[k] === v))
    },
    update: async (id, patch, actor = null) => update.immediate(id, patch, actor),
    create: async (input, actor = null) => create.immediate(await newResource(input), actor),
    delete: async (id, actor = null) => remove.immediate(id, actor),
    // The import file's checks (zod) load with the first import: a plugin's thread that never imports skips them.
    import: async (data, options) => (await import('./import-resources.ts')).importResources(db, data, options),
  }
}
