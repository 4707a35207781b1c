import { resourceChanges } from '../hooks/resource-changes.ts'
import { type PgClient, type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { Resource } from '../sdk/host-services.ts'
import { countChange, readImportRows } from './import-rows.ts'
import type { Inventory } from './inventory-port.ts'
import { raisePostgresHooks, type RaisedHook } from './postgres-hook-jobs.ts'
import { checkPatch, importedResource, newResource, patchedResource, resourceExists, updateCall } from './resource-edits.ts'
import { resourceParams, toResource, type ResourceRow } from './resource-rows.ts'

const COLUMNS = 'id, type, cloud, account, region, name, state, tags, properties, updated_at'
const ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`
const UPSERT = `INSERT INTO runtime.resources (${COLUMNS}) SELECT * FROM ${ROWS}
  ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, cloud = EXCLUDED.cloud, account = EXCLUDED.account, region = EXCLUDED.region,
    name = EXCLUDED.name, state = EXCLUDED.state, tags = EXCLUDED.tags, properties = EXCLUDED.properties, updated_at = EXCLUDED.updated_at`
const INSERT_NEW = `INSERT INTO runtime.resources (${COLUMNS}) SELECT * FROM ${ROWS} ON CONFLICT (id) DO NOTHING`
const DELETE = 'DELETE FROM runtime.resources WHERE id = ANY($1::text[]) RETURNING *'
// Ids sort by byte, as SQLite's do, whatever the database's collation.
const ORDER = 'ORDER BY id COLLATE "C"'

// PostgreSQL text cannot hold U+0000 (SQLite can): say which resource and field, rather than pass on the server's encoding error.
function checkNoNul(r: Resource): void {
  for (const field of ['id', 'type', 'cloud', 'account', 'region', 'name', 'state'] as const)
    if (r[field].includes('\u0000'))
      throw new TypeError(
        `resource ${JSON.stringify(r.id)}: ${field} contains the character U+0000, which PostgreSQL cannot store in text; remove it`,
      )
}

/** Writes whole resources in one statement. */
async function write(c: PgClient, sql: string, resources: Resource[], now: number) {
  resources.forEach(checkNoNul)
  const params = resources.map((r) => resourceParams(r, new Date(now).toISOString()))
  const column = (key: keyof (typeof params)[number]) => params.map((p) => p[key])
  const keys = ['id', 'type', 'cloud', 'account', 'region', 'name', 'state', 'tags', 'properties', 'updatedAt'] as const
  return c.query(sql, keys.map(column))
}

const resourcesOf = async (c: PgClient | PgPool, sql: string, params: unknown[] = []) =>
  ((await c.query<ResourceRow>(sql, params)).rows as ResourceRow[]).map(toResource)

/**
 * The inventory on PostgreSQL (runtime.resources), on the worker's connection (plugins, bot runs; the CLI's
 * import writes only runtime tables, so the worker's grants suffice for it too). Each change and the hook jobs
 * it raises are one transaction. A change reads the stored resource FOR UPDATE, so two plugins patching one
 * resource at once merge in turn instead of one overwriting the other; create inserts with ON CONFLICT, so of
 * two creates of one id exactly one wins.
 */
export function createPostgresInventory(pool: PgPool): Inventory {
  return {
    async get(id) {
      return (await resourcesOf(pool, 'SELECT * FROM runtime.resources WHERE id = $1', [id]))[0] ?? null
    },
    async find(query = {}) {
      const where: string[] = []
      const params: string[] = []
      for (const key of ['type', 'cloud', 'region', 'state'] as const) {
        const value = query[key]
        if (value === undefined) continue
        params.push(value)
        where.push(`${key} = $${params.length}`)
      }
      if (Object.keys(query.tags ?? {}).length) {
        // Every given tag with that value: JSON containment, the same test as SQLite's tag by tag comparison.
        params.push(JSON.stringify(query.tags))
        where.push(`tags::jsonb @> $${params.length}::jsonb`)
      }
      return resourcesOf(pool, `SELECT * FROM runtime.resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ORDER}`, params)
    },
    async update(id, patch, actor = null) {
      checkPatch(updateCall(id), patch)
      return withTransaction(pool, async (c) => {
        const current = (await resourcesOf(c, 'SELECT * FROM runtime.resources WHERE id = $1 FOR UPDATE', [id]))[0] ?? null
        const next = patchedResource(id, current, patch)
        const changes = resourceChanges(current, next)
        if (!changes) return next // nothing changed: nothing written, no hook
        const now = Date.now()
        await write(c, UPSERT, [next], now)
        await raisePostgresHooks(c, [{ hook: 'resource.modified', change: { resource: next, previous: current, changes } }], actor, now)
        return next
      })
    },
    async create(input, actor = null) {
      const resource = await newResource(input)
      return withTransaction(pool, async (c) => {
        const now = Date.now()
        if (!(await write(c, INSERT_NEW, [resource], now)).rowCount) throw resourceExists(resource.id)
        const changes = resourceChanges(null, resource)!
        await raisePostgresHooks(c, [{ hook: 'resource.created', change: { resource, previous: null, changes } }], actor, now)
        return resource
      })
    },
    async delete(id, actor = null) {
      return withTransaction(pool, async (c) => {
        const [previous] = await resourcesOf(c, DELETE, [[id]])
        if (!previous) return false
        await raisePostgresHooks(
          c,
          [{ hook: 'resource.deleted', change: { resource: previous, previous, changes: {} } }],
          actor,
          Date.now(),
        )
        return true
      })
    },
    async import(data, options = {}) {
      const replace = options.replace === true
      const actor = options.actor ?? null
      const { result, good, write: proceed } = readImportRows(data, replace)
      if (!proceed) return result
      await withTransaction(pool, async (c) => {
        // The import reads what is stored and writes it merged, as one step (SQLite's write lock gives the same):
        // plugins' changes wait until it commits rather than being merged over or overwritten. Reads go on.
        await c.query('LOCK TABLE runtime.resources IN EXCLUSIVE MODE')
        const stored = replace
          ? await resourcesOf(c, 'SELECT * FROM runtime.resources')
          : await resourcesOf(c, 'SELECT * FROM runtime.resources WHERE id = ANY($1::text[])', [[...good.keys()]])
        const byId = new Map(stored.map((r) => [r.id, r]))
        const written: Resource[] = []
        const raised: RaisedHook[] = []
        for (const input of good.values()) {
          const previous = byId.get(input.id) ?? null
          const resource = importedResource(previous, input, replace)
          const changes = resourceChanges(previous, resource)
          countChange(result, changes ? (previous ? 'modified' : 'created') : null)
          if (!changes) continue
          written.push(resource)
          raised.push({ hook: previous ? 'resource.modified' : 'resource.created', change: { resource, previous, changes } })
        }
        const now = Date.now()
        if (written.length) await write(c, UPSERT, written, now)
        if (replace) {
          const deleted = await resourcesOf(c, DELETE, [stored.filter((r) => !good.has(r.id)).map((r) => r.id)])
          result.deleted = deleted.length
          for (const r of deleted) raised.push({ hook: 'resource.deleted', change: { resource: r, previous: r, changes: {} } })
        }
        await raisePostgresHooks(c, raised, actor, now)
      })
      result.applied = true
      return result
    },
  }
}
