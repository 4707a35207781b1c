import type { HostServices } from './host-services.ts'

/**
 * DbObjects: the host objects in runtime.db, over HostServices. Without
 * services (say, a plain script) every call throws an error saying why.
 */
export function createDbObjects(services: HostServices | null, where: string, plugin: string | null = null) {
  const need = (call: string): HostServices => {
    if (services) return services
    throw new Error(
      `DbObjects.${call} is not available ${where}: there is no runtime database here. Call it from an action, a filter or an event job, not at import time.`,
    )
  }
  const writer = <K extends 'create' | 'delete'>(call: string, key: K) => {
    const fn = need(call).resources[key]
    if (!fn) throw new Error(`DbObjects.${call} is not available ${where}: this host's inventory is read-only.`)
    return fn as NonNullable<HostServices['resources'][K]>
  }
  return Object.freeze({
    resources: Object.freeze({
      get: (id: string) => need('resources.get').resources.get(id),
      find: (query?: Parameters<HostServices['resources']['find']>[0]) => need('resources.find').resources.find(query),
      // The calling plugin is the actor: its own changes do not raise its own hooks.
      update: (id: string, patch: Parameters<HostServices['resources']['update']>[1]) =>
        need('resources.update').resources.update(id, patch, plugin),
      create: (resource: Parameters<NonNullable<HostServices['resources']['create']>>[0]) =>
        writer('resources.create', 'create')(resource, plugin),
      delete: (id: string) => writer('resources.delete', 'delete')(id, plugin),
    }),
    bots: Object.freeze({
      get: (name: string) => need('bots.get').bots.get(name),
      list: () => need('bots.list').bots.list(),
    }),
    events: Object.freeze({
      find: (query?: Parameters<HostServices['events']['find']>[0]) => need('events.find').events.find(query),
    }),
  })
}

export type DbObjects = ReturnType<typeof createDbObjects>
