import type { Db } from '../store/open-database.ts'
import { createInventoryWriter } from './inventory-writer.ts'
import { resourceInputSchema, type ResourceInput } from './resource-schema.ts'
import { rowIssues, type RowIssue } from './row-issues.ts'

export interface ImportResult {
  total: number
  imported: number
  /** Of the imported rows: new, changed, and identical to what was stored (no hook raised for those). */
  created: number
  modified: number
  unchanged: number
  /** --replace: resources the file lacks, deleted. */
  deleted: number
  rejected: RowIssue[]
  /** False when nothing was written: --replace refuses a file with rejected rows. */
  applied: boolean
}

/**
 * Writes the resources of a JSON array (DESIGN section 7) in one transaction, raising resource hooks.
 * By default each row merges into the stored resource (tags and properties key by key, a null value
 * removes a key; fields left out keep their value), so a re-import keeps what plugins harvested. With
 * `replace` the inventory becomes the file: rows are written as given, and resources the file lacks
 * are deleted (resource.deleted). Bad rows are reported by index and field; good rows still land, except
 * with `replace`, where a bad row stops the whole import (its resource would otherwise be deleted).
 */
export async function importResources(
  db: Db,
  data: unknown,
  options: { replace?: boolean; actor?: string | null } = {},
): Promise<ImportResult> {
  const result: ImportResult = { total: 0, imported: 0, created: 0, modified: 0, unchanged: 0, deleted: 0, rejected: [], applied: false }
  if (!Array.isArray(data)) {
    result.rejected.push({
      index: -1,
      id: null,
      field: '(file)',
      message: `expected a JSON array of resources like [{"id": "i-0a1", "type": "instance", ...}]; found ${data === null ? 'null' : typeof data}`,
    })
    return result
  }
  result.total = data.length
  const good = new Map<string, ResourceInput>() // a later row of the same id wins, as it would one after the other
  data.forEach((row, index) => {
    const parsed = resourceInputSchema.safeParse(row)
    const id = typeof (row as { id?: unknown })?.id === 'string' ? (row as { id: string }).id : null
    if (parsed.success) good.set(parsed.data.id, parsed.data)
    else result.rejected.push(...rowIssues(index, id, row, parsed.error))
  })
  result.imported = data.length - new Set(result.rejected.map((r) => r.index)).size
  if (options.replace && result.rejected.length) return result
  const actor = options.actor ?? null
  db.transaction(() => {
    const writer = createInventoryWriter(db, { oneTransaction: true })
    for (const input of good.values()) {
      const change = writer.put(input, options.replace === true, actor)
      if (change === 'created') result.created++
      else if (change === 'modified') result.modified++
      else result.unchanged++
    }
    if (options.replace) for (const id of writer.ids()) if (!good.has(id) && writer.remove(id, actor)) result.deleted++
  }).immediate()
  result.applied = true
  return result
}
