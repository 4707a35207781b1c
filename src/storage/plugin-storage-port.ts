import type { PluginStorageService } from '../sdk/host-services.ts'
import type { StoredEntry } from './storage-values.ts'

/**
 * Per-plugin JSON values (the SDK's `storage`) on either backend: the SDK's calls, plus what
 * `app plugins storage` and the scheduler's prune pass use. A set past limits.storageBytes is refused
 * with the same error on both; the quota check and the write are one atomic step per plugin.
 */
export interface PluginStoragePort extends PluginStorageService {
  /** What `app plugins storage <name>` shows: live keys with sizes, and the total. */
  entries(plugin: string): Promise<{ bytes: number; entries: StoredEntry[] }>
  /** `app plugins storage <name> --clear`: every key of the plugin; returns how many. */
  clear(plugin: string): Promise<number>
  /** The scheduler's prune pass: expired keys of every plugin; returns how many. */
  pruneExpired(now?: number): Promise<number>
}
