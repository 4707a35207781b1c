import type { Logger } from '../log/create-logger.ts'
import type { HostServices } from '../sdk/host-services.ts'
import type { Generation } from '../store/store-types.ts'
import type { StoreReader } from '../store/store-reader.ts'
import { loadPlugins } from './create-plugin-host.ts'
import type { PluginHost } from './plugin-host.ts'

interface Shared {
  host: Promise<PluginHost>
  users: number
  close: () => void
}
const shared = new Map<string, Shared>()

/**
 * One plugin host per process and data dir: `--role=all` runs worker and web
 * in one process, and a plugin's code should run there once, not twice.
 * Its HostServices come from the role's backend (on SQLite, over a runtime.db connection of their own).
 */
export async function loadSharedPluginHost(options: {
  dataDir: string
  generation: Generation | null
  store: StoreReader
  timeoutMs: number
  logger: Logger
  reload: boolean
  /** The SDK services of the plugins (the role's backend builds them), and what closes them. */
  services: () => Promise<{ services: HostServices; close(): void }>
}): Promise<{ host: PluginHost; unload(): Promise<void> }> {
  let entry = shared.get(options.dataDir)
  if (!entry) {
    const { services, close } = await options.services()
    entry = {
      users: 0,
      close,
      host: loadPlugins({
        generation: options.generation,
        store: options.store,
        dataDir: options.dataDir,
        services,
        timeoutMs: options.timeoutMs,
        logger: options.logger,
        trackHandles: options.reload,
      }),
    }
    shared.set(options.dataDir, entry)
    entry.host.catch(() => {
      shared.delete(options.dataDir)
      close()
    })
  }
  const mine = entry
  mine.users++
  const host = await mine.host
  let unloaded = false
  return {
    host,
    async unload() {
      if (unloaded) return
      unloaded = true
      if (--mine.users > 0) return
      shared.delete(options.dataDir)
      await host.unloadAll()
      mine.close()
    },
  }
}
