/**
 * Base classes of event types. The host builds one per event occurrence with
 * the run context and awaits `run(ctx)`; the context is also on `this`.
 */
export class ScheduledEventJob {
  ctx: Record<string, unknown> | undefined
  event: unknown
  resources: unknown[]
  resource: unknown
  log: unknown
  signal: AbortSignal | undefined

  constructor(ctx?: { event?: unknown; resources?: unknown[]; log?: unknown; signal?: AbortSignal }) {
    this.ctx = ctx as Record<string, unknown> | undefined
    this.event = ctx?.event
    this.resources = ctx?.resources ?? []
    this.resource = this.resources[0] ?? null
    this.log = ctx?.log
    this.signal = ctx?.signal
  }

  async run(_ctx?: unknown): Promise<void> {
    throw new Error(`${this.constructor.name}.run(ctx) is not implemented: an event type must override run(ctx)`)
  }
}

/** An event over several resources: ctx.resources holds them all, fresh from the inventory. */
export class MultiResourceScheduledEventJob extends ScheduledEventJob {}
