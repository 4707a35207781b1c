import { z } from 'zod'

/**
 * A resource as `app resources import` and DbObjects.resources.create take it (DESIGN section 7). Only
 * `id` and `type` are required: a field left out of a re-import keeps its value, and a new resource gets
 * '' for it. In `tags` (and `properties`) a null value removes that key from what is stored.
 */
export const resourceInputSchema = z.strictObject({
  id: z.string().min(1, 'expected a non-empty string'),
  type: z.string().min(1, 'expected a resource type such as "instance"'),
  cloud: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  name: z.string().optional(),
  state: z.string().optional(),
  tags: z.record(z.string(), z.string().nullable()).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
})

export type ResourceInput = z.infer<typeof resourceInputSchema>
