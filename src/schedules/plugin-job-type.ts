const PREFIX = 'app.job:'

/**
 * The queue's event type, and the schedules row key, of a plugin's periodic job (jobs.schedule):
 * `app.job:<plugin>:<id>`. One per (plugin, id); workers claim it only when their threads loaded the plugin.
 */
export const pluginJobType = (plugin: string, id: string): string => `${PREFIX}${plugin}:${id}`

/** The plugin and job id of a plugin job's event type, or null for any other type. */
export function parsePluginJobType(type: string): { plugin: string; id: string } | null {
  if (!type.startsWith(PREFIX)) return null
  const rest = type.slice(PREFIX.length)
  const at = rest.indexOf(':') // plugin names have no ':' (DESIGN section 4); job ids may
  return at > 0 ? { plugin: rest.slice(0, at), id: rest.slice(at + 1) } : null
}

export const isPluginJobType = (type: string): boolean => type.startsWith(PREFIX)
