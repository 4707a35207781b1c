import type { z } from 'zod'

/** One rejected row of an import file: its index, the field and what was wrong. */
export interface RowIssue {
  index: number
  id: string | null
  field: string
  message: string
}

/** zod issues as `field: expected ..., found ...` lines a user can act on. */
export function rowIssues(index: number, id: string | null, row: unknown, error: z.ZodError): RowIssue[] {
  return error.issues.map((issue) => {
    const field =
      issue.path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '') ||
      '(row)'
    let found: unknown = row
    for (const k of issue.path) found = (found as Record<PropertyKey, unknown> | undefined)?.[k]
    const shown = found === undefined ? 'nothing' : JSON.stringify(found)?.slice(0, 80)
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove or rename them`
        : issue.code === 'invalid_type'
          ? `expected ${issue.expected}; found ${shown}`
          : `${issue.message}; found ${shown}`
    return { index, id, field, message }
  })
}
