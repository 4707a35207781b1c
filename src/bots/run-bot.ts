import type { Logger } from '../log/create-logger.ts'
import type { Bot, HostServices, Resource } from '../sdk/host-services.ts'
import type { ClaimedJob } from '../queue/job-types.ts'
import type { PluginHandlers } from '../loader/plugin-handlers.ts'
import { callPluginCode, type PluginOwner } from '../loader/plugin-code-error.ts'

/**
 * A bot run: the resources of the bot's types, every filter must match, then
 * the action: a bulk action once with (bot, settings, matches, nonMatches),
 * non-matches only if it accepts the complement; other actions once per match.
 */
export async function runBot(
  job: ClaimedJob,
  {
    handlers,
    services,
    log,
    signal,
    mark,
  }: {
    handlers: PluginHandlers
    services: HostServices
    log: Logger
    signal: AbortSignal
    /** Told which filter or action ('filter "id"') runs now, null when none: the pool blames it if it never yields. */
    mark?: (what: string | null) => void
  },
): Promise<{ resources: number; matches: number }> {
  const name = job.bot ?? ''
  const inPlugin = async <T>(owner: PluginOwner, what: string, where: string, fn: () => T | Promise<T>) => {
    mark?.(what)
    try {
      return await callPluginCode(owner, `bot "${name}": ${what}`, where, signal, fn)
    } finally {
      mark?.(null)
    }
  }
  const bot: Bot | null = await services.bots.get(name)
  if (!bot) throw new Error(`bot "${name}" does not exist any more; \`app bots list\` shows the bots`)
  const filters = bot.filters.map((f) => ({ ...f, handler: handlers.query(f.queryId) }))
  const action = handlers.action(bot.action.uid)
  const missing = [
    ...filters.filter((f) => !f.handler).map((f) => `filter "${f.queryId}"`),
    ...(action ? [] : [`action "${bot.action.uid}"`]),
  ]
  if (missing.length) {
    const ids = handlers.ids()
    throw new Error(
      `bot "${name}" uses ${missing.join(' and ')}, which no loaded plugin registers. Registered filters: ${ids.queries.join(', ') || 'none'}; actions: ${ids.actions.join(', ') || 'none'}. Publish the plugin that registers it, or fix the bot and run \`app bots apply\`.`,
    )
  }

  const seen = new Set<string>()
  const resources: Resource[] = []
  for (const type of bot.resourceTypes) {
    for (const r of await services.resources.find({ type }))
      if (!seen.has(r.id)) {
        seen.add(r.id)
        resources.push(r)
      }
  }
  const matches: Resource[] = []
  const nonMatches: Resource[] = []
  for (const resource of resources) {
    signal.throwIfAborted()
    let match = true
    for (const f of filters) {
      const h = f.handler!
      const ok = Boolean(
        await inPlugin(h, `filter "${f.queryId}"`, ` on resource "${resource.id}"`, () => h.fn(resource, { ...h.defaults, ...f.settings })),
      )
      if (!ok) {
        match = false
        break
      }
    }
    ;(match ? matches : nonMatches).push(resource)
  }

  const settings = { ...action!.defaults, ...bot.action.settings }
  signal.throwIfAborted()
  // A failure of the plugin's filter or action is a PluginCodeError: the job runner records it as its RUNTIME_ERROR.
  const what = `action "${bot.action.uid}"`
  if (action!.bulkAction)
    await inPlugin(action!, what, '', () => action!.fn(bot, settings, matches, action!.acceptsComplement ? nonMatches : []))
  else
    for (const m of matches) {
      signal.throwIfAborted()
      await inPlugin(action!, what, ` on resource "${m.id}"`, () => action!.fn(bot, settings, [m], []))
    }
  log.info({ bot: name, resources: resources.length, matches: matches.length, action: bot.action.uid }, 'bot run finished')
  return { resources: resources.length, matches: matches.length }
}
