// Type-checked only (npm run typecheck), never run: what the ported plugins (test/fixtures/ported) use of the
// SDK, against types/plugin.d.ts, so a TypeScript author needs no cast for any of it.
import { BotFactoryRegistryWrapper, DbObjects, hooks, jobs, PermanentError, Schedule, settings, storage } from 'app/plugin'

export function load(): void {
  new BotFactoryRegistryWrapper().action(
    { uid: 'queue_publisher.action.publish_each', bulkAction: true },
    async (bot, botSettings, matches) => {
      const token: string | undefined = await settings.secret('token')
      let sequenceToken = (await storage.get<string>(`sequence-token:${settings.get<string>('queueUrl')}`)) ?? null
      for (const resource of matches) {
        if (!token) throw new PermanentError(`no token to publish ${resource.id} for ${bot.name} (${String(botSettings.messageGroup)})`)
        sequenceToken = `${sequenceToken ?? ''}${resource.id}`
      }
    },
  )
  jobs.schedule('harvest', Schedule.interval({ seconds: 1 }), async (ctx) => {
    const run: number = ctx.jobId
    ctx.log.info({ runAt: ctx.runAt, run, since: ctx.lastRunAt }, 'harvest started')
    await DbObjects.resources.update('i-1', { properties: { xrayFindings: { critical: 0 } } })
  })
  hooks.on('resource.modified', async ({ resource, previous, changes }, ctx) => {
    const delivery: number = ctx.jobId
    if (changes.state !== undefined)
      ctx.log.info({ delivery, attempt: ctx.attempt, from: previous?.state, to: resource.state }, 'state changed')
  })
}
