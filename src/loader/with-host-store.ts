import { openReadonlyStore, type Store } from '../store/open-store.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Generation } from '../store/store-types.ts'
import type { LoadPluginsOptions } from './plugin-host.ts'

/** plugins.db for one pass: the caller's, or a read-only connection opened on first need and closed after. */
export async function withHostStore<T>(options: LoadPluginsOptions, fn: (store: () => Promise<StoreReader>) => Promise<T>): Promise<T> {
  if (options.store) return fn(async () => options.store!)
  let opened: Store | null = null
  try {
    return await fn(async () => (opened ??= await openReadonlyStore(options.dataDir, { waitMs: 0 })))
  } finally {
    await (opened as Store | null)?.close()
  }
}

export async function resolveGeneration(g: Generation | number | null, store: () => Promise<StoreReader>): Promise<Generation | null> {
  if (g === null || typeof g === 'object') return g
  const found = await (await store()).generation(g)
  if (!found) throw new Error(`generation ${g} is not in the plugin store (it may have been pruned); load the current generation instead`)
  return found
}
