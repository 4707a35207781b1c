// The event type the action schedules. A ScheduledEventRegistryWrapper lets the
// plugin add and remove its event types when it is loaded and unloaded.
const { ScheduledEventManager, MultiResourceScheduledEventJob, DbObjects } = require('app/plugin')

ScheduledEventManager.register('custom.start_resource')(
  class StartResourceJob extends MultiResourceScheduledEventJob {
    async run(ctx) {
      for (const resource of ctx.resources) {
        if (ctx.signal.aborted) return
        await DbObjects.resources.update(resource.id, { state: 'running' })
        ctx.log.info({ resource: resource.id }, 'started resource')
      }
    }
  },
)
