// The plugin our worker runs in bench/queue.bench.ts: a no-op event handler that, when asked, logs when it started.
export const benchPlugin = {
  manifest: { name: 'bench-noop', version: '1.0.0', apiVersion: 1, modules: ['index.js'] },
  index: `import { ScheduledEventManager, ScheduledEventJob } from 'app/plugin'
ScheduledEventManager.register('bench.noop')(class NoopJob extends ScheduledEventJob {
  async run(ctx) { if (ctx.event.payload && ctx.event.payload.log) ctx.log.info({ benchJob: ctx.event.id, startedAt: Date.now() }, 'bench handler start') }
})
export function load() {}
`,
}
