import type { ActionEntry, BlueprintEntry, QueryEntry, RegisteredSummary } from './plugin-host.ts'
import type { PluginScope } from './plugin-scope.ts'

/** What a plugin load holds, as plain JSON: stored with the version by the dry run, shown by `app plugins show`. */
export function summarizeRegistrations(scope: PluginScope, manifest: Record<string, unknown>): RegisteredSummary {
  const summary: RegisteredSummary = { filters: [], actions: [], eventTypes: [], routes: [], frontend: [] }
  for (const reg of scope.applied()) {
    if (reg.kind === 'filter') {
      const q = reg.value as QueryEntry
      summary.filters.push({ queryId: q.queryId, name: q.name, supportedResources: q.supportedResources, settingsConfig: q.settingsDeclared === false ? null : q.settingsConfig })
    } else if (reg.kind === 'action') {
      const a = reg.value as ActionEntry
      summary.actions.push({ uid: a.uid, name: a.name, bulkAction: a.bulkAction, acceptsComplement: a.acceptsComplement, settingsConfig: a.settingsDeclared === false ? null : a.settingsConfig })
    } else if (reg.kind === 'eventType') {
      summary.eventTypes.push(reg.id)
    } else {
      const routes = ((reg.value as BlueprintEntry).app.routes ?? []) as Array<{ method: string; path: string }>
      for (const r of routes) {
        const route = `${r.method} /plugin/${scope.name}${r.path === '/' ? '' : r.path}`
        if (!summary.routes.includes(route)) summary.routes.push(route)
      }
    }
  }
  summary.frontend = Array.isArray(manifest.frontend) ? (manifest.frontend as string[]) : []
  return summary
}
