import type { Db } from '../store/open-database.ts'
import { createInventoryWriter } from './inventory-writer.ts'
import { countChange, readImportRows, type ImportResult } from './import-rows.ts'

export type { ImportResult } from './import-rows.ts'

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
  const { result, good, write } = readImportRows(data, options.replace === true)
  if (!write) return result
  const actor = options.actor ?? null
  db.transaction(() => {
    const writer = createInventoryWriter(db, { oneTransaction: true })
    for (const input of good.values()) countChange(result, writer.put(input, options.replace === true, actor))
    if (options.replace) for (const id of writer.ids()) if (!good.has(id) && writer.remove(id, actor)) result.deleted++
  }).immediate()
  result.applied = true
  return result
}
