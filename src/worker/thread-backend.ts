import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { StoreReader } from '../store/store-reader.ts'

/** What a handler thread works on, of its own: threads share no connection with the worker's main thread. */
export interface ThreadBackend {
  runtime: RuntimeBackend
  /** The plugin store, for loading a generation; null: plugins.db in the data dir, opened by the loader for each load. */
  store: StoreReader | null
  /** Where a bundle's files are (LoadPluginsOptions.bundleDir); undefined: written from the store. */
  bundleDir?: (sha256: string) => Promise<string>
  close(): Promise<void>
}
