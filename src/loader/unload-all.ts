import { reportOf, type HostState } from './host-state.ts'
import { unloadPlugin } from './load-plugin.ts'

/** Unloads every active plugin in reverse name order; each one's report keeps what unloading it found. */
export async function unloadAll(state: HostState): Promise<void> {
  for (const name of [...state.active.keys()].sort().reverse()) {
    const loaded = state.active.get(name)!
    await unloadPlugin(loaded.load, state.timeoutMs)
    state.active.delete(name)
    state.reports.set(name, reportOf(loaded.load, 'unloaded'))
  }
}
