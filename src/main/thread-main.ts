import { workerData } from 'node:worker_threads'

/**
 * Entry point of every worker thread. Add an entry here for each kind of
 * thread; the import is lazy so a thread loads only the code it runs.
 */
const entries: Record<string, () => Promise<{ default: (data: unknown) => unknown }>> = {
  'event-handler': () => import('../worker/handler-thread.ts'),
  'plugin-dry-run': () => import('../loader/dry-run-thread.ts'),
}

const { entry, data } = workerData as { entry: string; data: unknown }
const load = entries[entry]
if (!load) throw new Error(`unknown thread entry "${entry}"; known: ${Object.keys(entries).join(', ')}`)
// No top-level await: the single executable's bundle is CommonJS. A rejection still fails the thread.
void load().then((module) => module.default(data))
