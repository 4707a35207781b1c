import { z } from 'zod'
import type { Db } from '../store/open-database.ts'
import type { Resource } from '../sdk/host-services.ts'
import { resourceParams, UPSERT_RESOURCE } from './resource-rows.ts'
import { rowIssues, type RowIssue } from './row-issues.ts'

const text = z.string().default('')
export const resourceSchema = z.strictObject({
  id: z.string().min(1, 'expected a non-empty string'),
  type: z.string().min(1, 'expected a resource type such as "instance"'),
  cloud: text, account: text, region: text, name: text, state: text,
  tags: z.record(z.string(), z.string()).default({}),
  properties: z.record(z.string(), z.unknown()).default({}),
})

export interface ImportResult {
  total: number
  imported: number
  rejected: RowIssue[]
}

/**
 * Upserts the resources of a JSON array (DESIGN section 7) in one
 * transaction. Bad rows are reported by index and field; good rows still land.
 */
export async function importResources(db: Db, data: unknown): Promise<ImportResult> {
  if (!Array.isArray(data)) {
    return { total: 0, imported: 0, rejected: [{ index: -1, id: null, field: '(file)', message: `expected a JSON array of resources like [{"id": "i-0a1", "type": "instance", ...}]; found ${data === null ? 'null' : typeof data}` }] }
  }
  const good: Resource[] = []
  const rejected: RowIssue[] = []
  data.forEach((row, index) => {
    const parsed = resourceSchema.safeParse(row)
    const id = typeof (row as { id?: unknown })?.id === 'string' ? (row as { id: string }).id : null
    if (parsed.success) good.push(parsed.data)
    else rejected.push(...rowIssues(index, id, row, parsed.error))
  })
  const upsert = db.prepare(UPSERT_RESOURCE)
  const now = new Date().toISOString()
  db.transaction(() => { for (const r of good) upsert.run(resourceParams(r, now)) }).immediate()
  return { total: data.length, imported: good.length, rejected }
}
