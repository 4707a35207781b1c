// A sample bot action plugin (CommonJS), re-enacting the seed's example: the
// action schedules one `custom.start_resource` event per matching resource;
// start-resource-job.cjs registers the event type that runs them.
const { BotFactoryRegistryWrapper, ScheduledEventTracker, Schedule, log } = require('app/plugin')

const registry = new BotFactoryRegistryWrapper()

registry.action(
  {
    uid: 'custom.action.start_resource_later',
    name: 'Start later',
    bulkAction: true,
    acceptsComplement: true,
    settingsConfig: [{ name: 'delaySeconds', type: 'int', default: 12 * 3600 }],
  },
  async (bot, settings, matches, _nonMatches) => {
    const delayMs = (settings.delaySeconds ?? 12 * 3600) * 1000
    // Every event scheduled in the block commits together, or none do.
    await ScheduledEventTracker.run(async (tracker) => {
      for (const resource of matches) {
        tracker.scheduleBotEvent({
          bot,
          resource,
          description: 'Start a resource.',
          eventType: 'custom.start_resource',
          scheduleData: Schedule.once(new Date(Date.now() + delayMs)),
        })
      }
    })
    log.info({ bot: bot.name, events: matches.length, delaySeconds: delayMs / 1000 }, 'scheduled start events')
  },
)

function load() {
  registry.load()
}
function unload() {
  registry.unload()
}

module.exports = { load, unload }
