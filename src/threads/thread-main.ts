import { workerData } from 'node:worker_threads'

/**
 * Entry point of every worker thread. Add an entry here for each kind of
 * thread; the import is lazy so a thread loads only the code it runs.
 */
const entries: Record<string, () => Promise<{ default: (data: unknown) => unknown }>> = {
}

const { entry, data } = workerData as { entry: string; data: unknown }
const load = entries[entry]
if (!load) throw new Error(`unknown thread entry "${entry}"; known: ${Object.keys(entries).join(', ')}`)
await (await load()).default(data)
