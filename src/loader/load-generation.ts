import { performance } from 'node:perf_hooks'
import type { Generation } from '../store/store-types.ts'
import { reportOf, type HostState } from './host-state.ts'
import { loadEntry } from './load-entry.ts'
import { saveModuleFormats } from './module-hooks.ts'
import { resolveGeneration, withHostStore } from './with-host-store.ts'

/** The host's first pass: loads a generation's plugins in name order and commits each one that loaded. */
export async function loadGeneration(state: HostState, g: Generation | number | null): Promise<void> {
  const started = performance.now()
  const { reports } = state
  await withHostStore(state.options, async (store) => {
    const generation = await resolveGeneration(g, store)
    state.generationId = generation?.id ?? null
    for (const entry of sortByName(generation?.plugins ?? [])) {
      if (entry.status === 'error') {
        reports.set(entry.name, { plugin: entry.name, version: entry.version, status: 'skipped', durationMs: null, warnings: [] })
        continue
      }
      const { load, frontend } = await loadEntry(state, entry, store)
      if (!load) continue
      if (load.ok) {
        load.scope.commit()
        state.active.set(entry.name, { entry, load, frontend })
      }
      reports.set(entry.name, reportOf(load, load.ok ? 'loaded' : 'failed'))
    }
  })
  saveModuleFormats(state.cacheDir)
  const counts = { loaded: 0, failed: 0, skipped: 0 }
  for (const r of reports.values()) if (r.status in counts) counts[r.status as keyof typeof counts]++
  state.log?.info({ generation: state.generationId, ...counts, ms: Math.round(performance.now() - started) }, 'plugins loaded')
}

const sortByName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
