import type { LoadReport } from '../runtime/process-registry.ts'

/**
 * One report per plugin for the whole worker process, from the reports of its
 * handler threads: the first thread's status and timing, every distinct
 * warning any thread saw (a run-time warning may reach only one thread).
 */
export function mergeReports(perThread: LoadReport[][]): LoadReport[] {
  const byPlugin = new Map<string, LoadReport>()
  for (const reports of perThread) {
    for (const r of reports) {
      const seen = byPlugin.get(r.plugin)
      if (!seen) {
        byPlugin.set(r.plugin, { ...r, warnings: [...r.warnings] })
        continue
      }
      for (const w of r.warnings) {
        if (!seen.warnings.some((x) => x.code === w.code && x.message === w.message)) seen.warnings.push(w)
      }
    }
  }
  return [...byPlugin.values()]
}
