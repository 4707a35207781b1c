import type { ResourceHookName } from '../sdk/host-services.ts'

/** Every hookpoint a plugin can subscribe to with hooks.on(name, handler). */
export const RESOURCE_HOOKS: readonly ResourceHookName[] = ['resource.created', 'resource.modified', 'resource.deleted']

const PREFIX = 'app.hook:'

/**
 * The queue's event type of one plugin's deliveries of one hook: `app.hook:<plugin>:<hook>`. A worker claims
 * it only when its threads loaded that plugin's handler, so a delivery waits (orphaned, kept) while the
 * plugin is away, like any event whose type no loaded plugin registers.
 */
export const hookJobType = (plugin: string, hook: string): string => `${PREFIX}${plugin}:${hook}`

/** The plugin and hook of a hook delivery's event type, or null for any other type. */
export function parseHookJobType(type: string): { plugin: string; hook: string } | null {
  if (!type.startsWith(PREFIX)) return null
  const rest = type.slice(PREFIX.length)
  const at = rest.indexOf(':') // plugin names have no ':' (DESIGN section 4)
  return at > 0 ? { plugin: rest.slice(0, at), hook: rest.slice(at + 1) } : null
}

export const isResourceHook = (name: unknown): name is ResourceHookName => RESOURCE_HOOKS.includes(name as ResourceHookName)
