import { createHostServices } from '../host/create-host-services.ts'
import type { Logger } from '../log/create-logger.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
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
 * Its HostServices use a runtime.db connection of their own.
 */
export async function loadSharedPluginHost(options: {
  dataDir: string
  generation: Generation | null
  store: StoreReader
  timeoutMs: number
  logger: Logger
  reload: boolean
  role?: string
  storageBytes?: number
}): Promise<{ host: PluginHost; unload(): Promise<void> }> {
  let entry = shared.get(options.dataDir)
  if (!entry) {
    const runtime = openRuntimeDb(options.dataDir)
    entry = {
      users: 0,
      close: () => runtime.close(),
      host: loadPlugins({
        generation: options.generation,
        store: options.store,
        dataDir: options.dataDir,
        services: createHostServices(runtime, {
          role: options.role ?? 'web',
          dataDir: options.dataDir,
          storageBytes: options.storageBytes,
        }),
        timeoutMs: options.timeoutMs,
        logger: options.logger,
        trackHandles: options.reload,
      }),
    }
    shared.set(options.dataDir, entry)
    entry.host.catch(() => {
      shared.delete(options.dataDir)
      runtime.close()
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
