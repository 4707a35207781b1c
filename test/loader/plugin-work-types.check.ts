// Type-checked only (npm run typecheck), never run: the DESIGN 5b example against types/plugin.d.ts.
import { DbObjects, hooks, host, jobs, PermanentError, Schedule, storage } from 'app/plugin'

export async function load(): Promise<void> {
  const undo: () => void = jobs.schedule('harvest-xray', Schedule.interval({ minutes: 2 }), async (ctx) => {
    ctx.log.info({ last: ctx.lastRunAt, attempt: ctx.attempt }, 'harvesting')
    if (ctx.signal.aborted) return
  })
  undo()
  hooks.on('resource.modified', async ({ resource, previous, changes }, ctx) => {
    if (changes.state === 'running' && previous?.state !== 'running') ctx.log.info({ id: resource.id, by: ctx.changedBy }, 'started')
    if (changes.properties?.xray === null) throw new PermanentError('xray data removed')
  })
  if (!host.dryRun) await storage.set('seq-token', 'abc', { ttlMs: 3600e3 })
  const token: string | undefined = await storage.get<string>('seq-token')
  const keys: string[] = await storage.list('seq-')
  await storage.delete(token ?? keys[0] ?? 'x')
  await DbObjects.resources.create({ id: 'i-1', type: 'instance' })
  await DbObjects.resources.update('i-1', { tags: { env: null }, properties: { xray: { ok: true } } })
  const gone: boolean = await DbObjects.resources.delete('i-1')
  void gone
}
