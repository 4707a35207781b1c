import type { EventWorkerState } from './event-worker-state.ts'
import { mergeReports } from './merge-reports.ts'
import { orphanReports } from './orphan-reports.ts'

/** The process's load reports: the host's (if any) and every thread's, merged, with the orphaned event types added. */
export const reportLoad = (w: EventWorkerState) =>
  w.proc
    .reportLoad(
      orphanReports(mergeReports([...(w.host ? [w.host.reports()] : []), ...[...w.threads.values()].map((t) => t.reports)]), w.orphans),
    )
    .catch((error) => w.log.warn({ err: error }, 'could not record load reports'))

/** The types any loaded thread runs; every thread loads the same generation, except briefly during a --reload. */
export function updateTypes(w: EventWorkerState): void {
  w.types = w.threads.size ? JSON.stringify([...new Set([...w.threads.values()].flatMap((t) => t.ids.eventTypes))].sort()) : null
}

/** Marks due events of types no loaded thread runs (`known`) as orphaned, counts them per type and owner, and reports them. */
export async function checkOrphans(w: EventWorkerState, known: string): Promise<void> {
  const marked = await w.queue.markOrphaned(known)
  if (!marked.length) return
  for (const m of marked) {
    const key = `${m.eventType}\u0000${m.owner ?? ''}`
    const o = w.orphans.get(key) ?? { eventType: m.eventType, owner: m.owner, count: 0, firstSeen: new Date().toISOString(), lastSeen: '' }
    o.count++
    o.lastSeen = new Date().toISOString()
    w.orphans.set(key, o)
  }
  const byType = Object.groupBy(marked, (m) => m.eventType)
  w.log.warn(
    { code: 'ORPHANED_EVENTS', events: Object.fromEntries(Object.entries(byType).map(([t, l]) => [t, l!.length])) },
    'due events of types no loaded plugin registers are kept as orphaned; they run when a worker that has the type claims them',
  )
  await reportLoad(w)
}
