import type { ResourceChange, ResourceHookName } from '../sdk/host-services.ts'
import { hookJobType } from './hook-names.ts'

export interface HookDelivery {
  /** The queue's event type: hookJobType(plugin, hook). */
  type: string
  /** The subscriber: the job's owner (orphan warnings land on it). */
  plugin: string
  description: string
  resource: string
  payload: string
}

/** The jobs that deliver one resource change to its subscribers, but not to `actor`, whose own change it is. */
export function hookDeliveries(
  hook: ResourceHookName,
  change: ResourceChange,
  actor: string | null,
  subscribers: string[],
): HookDelivery[] {
  const plugins = subscribers.filter((p) => p !== actor)
  // Most installs subscribe to nothing: then no payload is built.
  if (!plugins.length) return []
  const resource = change.resource.id
  const payload = JSON.stringify({ ...change, by: actor })
  const description = `${hook} ${resource}${actor ? ` by ${actor}` : ''}`
  return plugins.map((plugin) => ({ type: hookJobType(plugin, hook), plugin, description, resource, payload }))
}
