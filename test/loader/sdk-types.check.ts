// Type-checked only (npm run typecheck), never run: plugin authors' code against types/plugin.d.ts via `app/plugin`.
import {
  BotFactoryRegistryWrapper,
  Hono,
  MultiResourceScheduledEventJob,
  QueryRegistry,
  registerApiBlueprint,
  Schedule,
  ScheduledEventManager,
  ScheduledEventTracker,
  type EventContext,
} from 'app/plugin'

export function load(): void {
  const undo: () => void = QueryRegistry.register(
    { queryId: 'custom.filter.x', supportedResources: ['instance'] },
    (resource, settings) => resource.state === settings.state,
  )
  undo()
  ScheduledEventManager.register('custom.x')(
    class extends MultiResourceScheduledEventJob {
      override async run(ctx: EventContext) {
        for (const r of ctx.resources) ctx.log.info({ id: r.id }, 'seen')
      }
    },
  )
  new BotFactoryRegistryWrapper()
    .action({ uid: 'custom.action.x', bulkAction: true }, async (bot, _settings, matches) => {
      await ScheduledEventTracker.run((tracker) => {
        for (const resource of matches)
          tracker.scheduleBotEvent({
            bot,
            resource,
            description: 'x',
            eventType: 'custom.x',
            scheduleData: Schedule.cron('0 * * * *', { timezone: 'UTC' }),
          })
      })
    })
    .load()
  const app = new Hono()
  app.get('/x', (c) => c.json({ ok: true }))
  registerApiBlueprint(app)
}
