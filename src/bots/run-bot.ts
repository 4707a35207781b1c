import type { Logger } from '../log/create-logger.ts'
import type { Bot, HostServices, Resource } from '../sdk/host-services.ts'
import type { ClaimedJob } from '../queue/job-types.ts'
import type { PluginHandlers } from '../worker/plugin-handlers.ts'

/**
 * A bot run: the resources of the bot's types, every filter must match, then
 * the action: a bulk action once with (bot, settings, matches, nonMatches),
 * non-matches only if it accepts the complement; other actions once per match.
 */
export async function runBot(job: ClaimedJob, { handlers, services, log, signal }: { handlers: PluginHandlers; services: HostServices; log: Logger; signal: AbortSignal }): Promise<{ resources: number; matches: number }> {
  const name = job.bot ?? ''
  const bot: Bot | null = await services.bots.get(name)
  if (!bot) throw new Error(`bot "${name}" does not exist any more; \`app bots list\` shows the bots`)
  const filters = bot.filters.map((f) => ({ ...f, handler: handlers.query(f.queryId) }))
  const action = handlers.action(bot.action.uid)
  const missing = [...filters.filter((f) => !f.handler).map((f) => `filter "${f.queryId}"`), ...(action ? [] : [`action "${bot.action.uid}"`])]
  if (missing.length) {
    const ids = handlers.ids()
    throw new Error(`bot "${name}" uses ${missing.join(' and ')}, which no loaded plugin registers. Registered filters: ${ids.queries.join(', ') || 'none'}; actions: ${ids.actions.join(', ') || 'none'}. Publish the plugin that registers it, or fix the bot and run \`app bots apply\`.`)
  }

  const seen = new Set<string>()
  const resources: Resource[] = []
  for (const type of bot.resourceTypes) {
    for (const r of await services.resources.find({ type })) if (!seen.has(r.id)) { seen.add(r.id); resources.push(r) }
  }
  const matches: Resource[] = []
  const nonMatches: Resource[] = []
  for (const resource of resources) {
    signal.throwIfAborted()
    let match = true
    for (const f of filters) {
      let ok: boolean
      try { ok = Boolean(await f.handler!.fn(resource, { ...f.handler!.defaults, ...f.settings })) } catch (cause) {
        throw new Error(`filter "${f.queryId}" (plugin ${f.handler!.plugin}) threw on resource "${resource.id}": ${(cause as Error)?.message ?? cause}`, { cause })
      }
      if (!ok) { match = false; break }
    }
    ;(match ? matches : nonMatches).push(resource)
  }

  const settings = { ...action!.defaults, ...bot.action.settings }
  signal.throwIfAborted()
  if (action!.bulkAction) await action!.fn(bot, settings, matches, action!.acceptsComplement ? nonMatches : [])
  else for (const m of matches) { signal.throwIfAborted(); await action!.fn(bot, settings, [m], []) }
  log.info({ bot: name, resources: resources.length, matches: matches.length, action: bot.action.uid }, 'bot run finished')
  return { resources: resources.length, matches: matches.length }
}
