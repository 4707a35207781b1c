import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { DryRunReads } from '../host/create-dry-run-services.ts'

/** The reads a dry run's plugin code may make, by name; each answers with plain, cloneable data. */
type ReadName = 'resources.get' | 'resources.find' | 'bots.get' | 'bots.list' | 'events.find' | 'storage.get' | 'storage.list'

interface ReadRequest {
  id: number
  read: ReadName
  args: unknown[]
}

type ReadReply = { id: number; value: unknown } | { id: number; error: string }

function perform(reads: DryRunReads, read: ReadName, args: unknown[]): Promise<unknown> {
  const [a, b] = args as [never, never]
  switch (read) {
    case 'resources.get':
      return reads.resources.get(a)
    case 'resources.find':
      return reads.resources.find(a)
    case 'bots.get':
      return reads.bots.get(a)
    case 'bots.list':
      return reads.bots.list()
    case 'events.find':
      return reads.events.find(a)
    case 'storage.get':
      return reads.storage?.get(a, b) ?? Promise.resolve(undefined)
    case 'storage.list':
      return reads.storage?.list(a, b) ?? Promise.resolve([])
  }
}

/**
 * The scheduler's side of a dry run's reads on PostgreSQL: the dry-run thread has no connection of its own
 * (a fresh thread per plugin would open one each time), so it asks over this port and the scheduler answers
 * from its own pool. close() when the run ends.
 */
export function serveDryRunReads(reads: DryRunReads): { port: MessagePort; close(): void } {
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (msg: ReadRequest) => {
    perform(reads, msg.read, msg.args).then(
      (value) => port1.postMessage({ id: msg.id, value } satisfies ReadReply),
      (error: unknown) => port1.postMessage({ id: msg.id, error: (error as Error)?.message ?? String(error) } satisfies ReadReply),
    )
  })
  port1.unref() // the run's own timer keeps the process alive while it lasts
  return { port: port2, close: () => port1.close() }
}

/**
 * The thread's side: DryRunReads that ask the scheduler. Settings are read synchronously by plugin code, so the
 * plugin's own values come with the job.
 */
export function askDryRunReads(port: MessagePort, settings: { plugin: string; values: Map<string, unknown> }): DryRunReads {
  let next = 0
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  port.on('message', (reply: ReadReply) => {
    const w = waiting.get(reply.id)
    waiting.delete(reply.id)
    if ('error' in reply) w?.reject(new Error(reply.error))
    else w?.resolve(reply.value)
  })
  const ask = <T>(read: ReadName, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      const id = next++
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })
      port.postMessage({ id, read, args } satisfies ReadRequest)
    })
  return {
    resources: { get: (id) => ask('resources.get', id), find: (query) => ask('resources.find', query) },
    bots: { get: (name) => ask('bots.get', name), list: () => ask('bots.list') },
    events: { find: (query) => ask('events.find', query) },
    storage: { get: (plugin, key) => ask('storage.get', plugin, key), list: (plugin, prefix) => ask('storage.list', plugin, prefix) },
    pluginSettings: { values: (plugin) => new Map(plugin === settings.plugin ? settings.values : []) },
  }
}
