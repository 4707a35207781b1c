// The event type the action schedules. A ScheduledEventRegistryWrapper lets the
// plugin add and remove its event types when it is loaded and unloaded.
const { ScheduledEventManager, MultiResourceScheduledEventJob, DbObjects } = require('app/plugin')

ScheduledEventManager.register('custom.start_resource')(
  class StartResourceJob extends MultiResourceScheduledEventJob {
    async run(ctx) {
      for (const resource of ctx.resources) {
        if (ctx.signal.aborted) return
        await DbObjects.resources.update(resource.id, { state: 'running' })
        // ctx.log is this plugin's `log` with the event's id, type and attempt added.
        ctx.log.info({ resource: resource.id }, 'started resource')
      }
    }
  },
)
