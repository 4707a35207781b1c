import type { ActionEntry, BlueprintEntry, HookEntry, PluginJobEntry, QueryEntry, RegisteredSummary } from './plugin-host.ts'
import type { PluginScope } from './plugin-scope.ts'
import { matchesPublicPath } from './blueprint-options.ts'

/** What a plugin load holds, as plain JSON: stored with the version by the dry run, shown by `app plugins show`. */
export function summarizeRegistrations(scope: PluginScope, manifest: Record<string, unknown>): RegisteredSummary {
  const summary: RegisteredSummary = { filters: [], actions: [], eventTypes: [], routes: [], frontend: [] }
  for (const reg of scope.applied()) {
    if (reg.kind === 'filter') {
      const q = reg.value as QueryEntry
      summary.filters.push({
        queryId: q.queryId,
        name: q.name,
        supportedResources: q.supportedResources,
        settingsConfig: q.settingsDeclared === false ? null : q.settingsConfig,
      })
    } else if (reg.kind === 'action') {
      const a = reg.value as ActionEntry
      summary.actions.push({
        uid: a.uid,
        name: a.name,
        bulkAction: a.bulkAction,
        acceptsComplement: a.acceptsComplement,
        settingsConfig: a.settingsDeclared === false ? null : a.settingsConfig,
      })
    } else if (reg.kind === 'eventType') {
      summary.eventTypes.push(reg.id)
    } else if (reg.kind === 'job') {
      const j = reg.value as PluginJobEntry
      ;(summary.jobs ??= []).push({ id: j.id, schedule: j.schedule })
    } else if (reg.kind === 'hook') {
      const h = reg.value as HookEntry
      if (!(summary.hooks ??= []).includes(h.hook)) summary.hooks.push(h.hook)
    } else {
      const routes = ((reg.value as BlueprintEntry).app.routes ?? []) as Array<{ method: string; path: string }>
      const open = (reg.value as BlueprintEntry).public ?? []
      for (const r of routes) {
        // Routes that answer without the admin sign-in say so where operators review what a plugin adds.
        const route = `${r.method} /plugin/${scope.name}${r.path === '/' ? '' : r.path}${matchesPublicPath(open, r.path) ? ' (public)' : ''}`
        if (!summary.routes.includes(route)) summary.routes.push(route)
      }
    }
  }
  summary.frontend = Array.isArray(manifest.frontend) ? (manifest.frontend as string[]) : []
  return summary
}
