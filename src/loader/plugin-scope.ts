import type { Severity } from '../store/store-types.ts'
import type { HostRegistries, UidKind } from './host-registries.ts'
import type { ActionEntry, BlueprintEntry, EventTypeEntry, HookEntry, PluginJobEntry, QueryEntry } from './plugin-host.ts'
import { createWarningBook } from './warning-book.ts'
import type { Logger } from '../log/create-logger.ts'
import { foreignCaller } from './plugin-roots.ts'
import { pluginContext, type PluginContext } from './plugin-context.ts'
import { withPluginEntry, type EnterPlugin } from './plugin-entry.ts'
import { createPluginLog } from './plugin-log.ts'
import type { WarningCode } from '../errors/codes.ts'

type Values = {
  filter: QueryEntry
  action: ActionEntry
  eventType: EventTypeEntry
  blueprint: BlueprintEntry
  job: PluginJobEntry
  hook: HookEntry
}
export type Kind = keyof Values

const LABEL: Record<Kind, string> = {
  filter: 'filter (QueryRegistry)',
  action: 'bot action',
  eventType: 'event type',
  blueprint: 'API blueprint',
  job: 'job (jobs.schedule)',
  hook: 'hook (hooks.on)',
}

interface Registration {
  kind: Kind
  id: string
  value: Values[Kind]
  state: 'pending' | 'applied' | 'dropped' | 'undone'
  remove?: () => void
}

let nextScopeId = 1

/**
 * Everything one load of one plugin registered. Registrations are staged
 * while the plugin imports and runs load(), and applied together when it
 * succeeds (commit), so a failed load never leaves half a plugin behind;
 * afterwards they apply at once. Each returns its undo; undoAll runs LIFO.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one plugin's registrations, warnings and state, shared by every registration method
export function createPluginScope(options: {
  name: string
  version: string
  registries: HostRegistries
  onWarning?: () => void
  logger?: Logger | null
}) {
  const { name, version, registries } = options
  const id = nextScopeId++
  /** The SDK's `log`, ctx.log's base, and where this plugin's console calls go. */
  const log = createPluginLog(options.logger, name, version)
  const context: PluginContext = { scopeId: id, plugin: name, version, log }
  const enter: EnterPlugin = (fn) => pluginContext.run(context, fn)
  const book = createWarningBook(name, version)
  let state: 'staging' | 'active' | 'unloaded' | 'failed' = 'staging'
  const regs: Registration[] = []

  const warn = (w: { code: WarningCode; severity: Severity; message: string; detail?: string | null }) => {
    book.add(w)
    if (state !== 'staging') options.onWarning?.()
  }
  const duplicate = (kind: Kind, uid: string, keeper: string, detail: string) =>
    warn({
      code: 'DUPLICATE_UID',
      severity: 'warning',
      message:
        keeper === name
          ? `plugin "${name}" registers the ${LABEL[kind]} "${uid}" twice; the first registration is kept and the second ignored. Register each uid once.`
          : `the ${LABEL[kind]} "${uid}" is registered by both "${keeper}" and "${name}"; "${keeper}" keeps it (the first plugin in name order) and the registration of "${name}" is ignored. Rename the uid in one of the plugins.`,
      detail,
    })

  function apply(reg: Registration): void {
    if (reg.kind === 'blueprint') {
      reg.remove = registries.addBlueprint({ ...(reg.value as BlueprintEntry), scopeId: id })
      reg.state = 'applied'
      return
    }
    const registry = registries[reg.kind as UidKind] as HostRegistries['filter']
    const holder = registry.holder(reg.id)
    if (holder && holder.plugin !== name && holder.plugin < name) {
      reg.state = 'dropped'
      return duplicate(reg.kind, reg.id, holder.plugin, `${holder.plugin} ${name}`)
    }
    if (holder && holder.plugin !== name) holder.lose(name) // we come first in name order: take it over
    reg.remove = registry.set(reg.id, {
      plugin: name,
      scopeId: id,
      value: reg.value as QueryEntry,
      lose: (by) => {
        reg.state = 'dropped'
        reg.remove = undefined
        duplicate(reg.kind, reg.id, by, `${by} ${name}`)
      },
    })
    reg.state = 'applied'
  }

  function undo(reg: Registration): void {
    if (reg.state === 'applied') reg.remove?.()
    if (reg.state === 'applied' || reg.state === 'pending') reg.state = 'undone'
  }

  return {
    id,
    name,
    version,
    log,
    context,
    enter,
    get state() {
      return state
    },
    warn,
    warnings: () => book.list(),
    hasWarning: (code: WarningCode) => book.has(code),

    /** Records a registration of this plugin; returns its undo. Refused (with a warning) once the plugin is unloaded. */
    register<K extends Kind>(kind: K, uid: string, value: Omit<Values[K], 'plugin' | 'version'>): () => void {
      // Registrations are made under this plugin's name only by this plugin's own code: the plugin context says
      // whose code runs (every entry into plugin code sets it); outside any, the plugin frames on the stack do.
      const ctx = pluginContext.getStore()
      const other = ctx ? (ctx.plugin === name ? null : ctx.plugin) : foreignCaller(name, 16)
      if (other)
        throw new Error(
          `plugin "${other}" tried to register the ${LABEL[kind]} "${uid}" through the SDK of plugin "${name}": refused. A plugin registers only under its own name, through its own import of app/plugin.`,
        )
      if (state === 'unloaded' || state === 'failed') {
        if (state === 'unloaded') {
          warn({
            code: 'UNLOAD_LEAK',
            severity: 'warning',
            message: `plugin "${name}" registered the ${LABEL[kind]} "${uid}" after it was unloaded, from code it left running (a timer, a callback or a promise its unload() did not stop). The registration was refused. Stop that work in unload().`,
            detail: uid,
          })
        }
        return () => {}
      }
      if (kind !== 'blueprint') {
        if (regs.some((r) => r.kind === kind && r.id === uid && (r.state === 'pending' || r.state === 'applied'))) {
          duplicate(kind, uid, name, uid)
          return () => {}
        }
        const holder = (registries[kind as UidKind] as HostRegistries['filter']).holder(uid)
        if (holder && holder.plugin !== name && holder.plugin < name) {
          duplicate(kind, uid, holder.plugin, `${holder.plugin} ${name}`)
          return () => {}
        }
      }
      const reg: Registration = {
        kind,
        id: uid,
        value: withPluginEntry({ ...value, plugin: name, version }, enter) as unknown as Values[K],
        state: 'pending',
      }
      regs.push(reg)
      if (state === 'active') apply(reg)
      return () => undo(reg)
    },

    /** The load succeeded: apply the staged registrations, in order. */
    commit(): void {
      state = 'active'
      for (const reg of regs) if (reg.state === 'pending') apply(reg)
    },

    /** The load failed: nothing it staged is applied, and nothing it registers later is accepted. */
    fail(): void {
      for (const reg of [...regs].reverse()) undo(reg)
      state = 'failed'
    },

    /** Undoes every registration in reverse order and closes the scope; returns what is still registered (a leak). */
    unload(): string[] {
      for (const reg of [...regs].reverse()) {
        try {
          undo(reg)
        } catch {
          /* an undo cannot fail today; what stays is reported below */
        }
      }
      state = 'unloaded'
      const left = [
        ...registries.filter.heldBy(id).map((u) => `filter ${u}`),
        ...registries.action.heldBy(id).map((u) => `action ${u}`),
        ...registries.eventType.heldBy(id).map((u) => `event type ${u}`),
        ...registries.job.heldBy(id).map((u) => `job ${u}`),
        ...registries.hook.heldBy(id).map((u) => `hook ${u}`),
      ]
      if (registries.blueprints.some((b) => b.scopeId === id)) left.push('API blueprint')
      return left
    },

    /** What this load registered and holds now (after commit), for `app plugins show` and the admin page. */
    applied(): Registration[] {
      return regs.filter((r) => r.state === 'applied' || (state === 'staging' && r.state === 'pending'))
    },
  }
}

export type PluginScope = ReturnType<typeof createPluginScope>
