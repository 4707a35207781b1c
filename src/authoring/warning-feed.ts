import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { buildPluginReport } from '../report/plugin-report.ts'
import type { StoredWarning } from '../report/stored-warning.ts'
import { warningId } from '../report/warning-id.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import type { Db } from '../store/open-database.ts'
import { openReadonlyStore, STORE_FILE, type Store } from '../store/open-store.ts'

/** One warning on one line: severity, code, plugin and version, the message's first sentence or line. */
export function compactWarning(w: StoredWarning): string {
  const message = w.message.split('\n')[0]!
  return `${w.severity.padEnd(7)} ${w.code} ${w.plugin ?? '-'}${w.version ? ` ${w.version}` : ''}: ${message.length > 300 ? `${message.slice(0, 299)}…` : message}`
}

/**
 * `app plugin dev`'s feed: polls the report every `everyMs` (what `app
 * plugins warnings` shows, merged from the publish and every role) and prints
 * each generation as it is published and each warning the first time it
 * appears, once (a warning seen again only counts up in the report).
 */
export function startWarningFeed(o: { dataDir: string; print: (line: string) => void; everyMs?: number }) {
  const seen = new Set<string>()
  let generation: number | null = null
  let store: Store | null = null
  let runtime: Db | null = null
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const poll = async () => {
    if (!store) {
      if (!existsSync(join(o.dataDir, STORE_FILE))) return
      store = await openReadonlyStore(o.dataDir, { waitMs: 0 })
      runtime = openRuntimeDb(o.dataDir)
    }
    const report = await buildPluginReport(store, runtime)
    if (report.generation !== null && report.generation !== generation) {
      generation = report.generation
      o.print(
        `dev: generation ${generation} published: ${report.plugins.map((p) => `${p.name} ${p.version} (${p.status})`).join(', ') || 'no plugin'}`,
      )
    }
    for (const w of report.warnings) {
      const id = warningId(w)
      if (seen.has(id)) continue
      seen.add(id)
      o.print(`dev: ${compactWarning(w)}`)
    }
  }
  let running: Promise<void> = Promise.resolve()
  const loop = () => {
    running = poll()
      .catch(() => {
        /* a database busy or not there yet: the next poll tries again */
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, o.everyMs ?? 500)
      })
  }
  loop()
  return {
    /** Stops polling and closes the feed's connections (before the data directory goes). */
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
      runtime?.close()
      await store?.close()
    },
  }
}
