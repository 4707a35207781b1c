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
 * The checking half of an import, the same for every backend: bad rows reported by index and field, the good
 * ones by id (a later row of the same id wins, as it would one after the other). `write` is false when
 * nothing may be written: not an array, or --replace with a bad row (its resource would otherwise be deleted).
 */
export function readImportRows(
  data: unknown,
  replace: boolean,
): { result: ImportResult; good: Map<string, ResourceInput>; write: boolean } {
  const result: ImportResult = { total: 0, imported: 0, created: 0, modified: 0, unchanged: 0, deleted: 0, rejected: [], applied: false }
  const good = new Map<string, ResourceInput>()
  if (!Array.isArray(data)) {
    result.rejected.push({
      index: -1,
      id: null,
      field: '(file)',
      message: `expected a JSON array of resources like [{"id": "i-0a1", "type": "instance", ...}]; found ${data === null ? 'null' : typeof data}`,
    })
    return { result, good, write: false }
  }
  result.total = data.length
  data.forEach((row, index) => {
    const parsed = resourceInputSchema.safeParse(row)
    const id = typeof (row as { id?: unknown })?.id === 'string' ? (row as { id: string }).id : null
    if (parsed.success) good.set(parsed.data.id, parsed.data)
    else result.rejected.push(...rowIssues(index, id, row, parsed.error))
  })
  result.imported = data.length - new Set(result.rejected.map((r) => r.index)).size
  return { result, good, write: !(replace && result.rejected.length) }
}

/** Counts one written row: null is a row identical to what was stored. */
export function countChange(result: ImportResult, change: 'created' | 'modified' | 'deleted' | null): void {
  if (change === 'created') result.created++
  else if (change === 'modified') result.modified++
  else result.unchanged++
}
