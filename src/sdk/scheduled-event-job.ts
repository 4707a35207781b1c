import type { EventContext, Resource, SdkLogger } from './host-services.ts'

/**
 * Base classes of event types. The host builds one per event occurrence with
 * the run context and awaits `run(ctx)`; the context is also on `this`.
 */
export class ScheduledEventJob {
  ctx: EventContext | undefined
  event: EventContext['event'] | undefined
  resources: Resource[]
  resource: Resource | null
  log: SdkLogger | undefined
  signal: AbortSignal | undefined

  constructor(ctx?: EventContext) {
    this.ctx = ctx
    this.event = ctx?.event
    this.resources = ctx?.resources ?? []
    this.resource = ctx?.resource ?? this.resources[0] ?? null
    this.log = ctx?.log
    this.signal = ctx?.signal
  }

  /** Overridden by each event type (which may return nothing, or a promise). */
  run(_ctx: EventContext): Promise<void> | void {
    return Promise.reject(new Error(`${this.constructor.name}.run(ctx) is not implemented: an event type must override run(ctx)`))
  }
}

/** An event over several resources: ctx.resources holds them all, fresh from the inventory. */
export class MultiResourceScheduledEventJob extends ScheduledEventJob {}
