import type { HostServices } from './host-services.ts'

/**
 * The SDK's `storage`, bound to one plugin: JSON values in runtime.db under the plugin's name (the host's
 * PluginStorageService does the work, and in the dry run records instead of writing).
 */
export function createStorageApi(services: HostServices | null, plugin: string, where: string) {
  const need = (call: string) => {
    if (services?.storage) return services.storage
    throw new Error(`storage.${call} is not available ${where}: there is no runtime database here.`)
  }
  return Object.freeze({
    /** The value stored under key, or undefined (also once its ttlMs passed). */
    get: <T = unknown>(key: string): Promise<T | undefined> => need('get').get(plugin, key) as Promise<T | undefined>,
    /** Stores a JSON value; `ttlMs`: it reads as absent after that long. Throws past limits.storageBytes, naming the sizes. */
    set: (key: string, value: unknown, options?: { ttlMs?: number }): Promise<void> => need('set').set(plugin, key, value, options),
    /** Removes key; true when it was there. */
    delete: (key: string): Promise<boolean> => need('delete').delete(plugin, key),
    /** The keys starting with prefix (all with none), sorted. */
    list: (prefix?: string): Promise<string[]> => need('list').list(plugin, prefix),
  })
}
