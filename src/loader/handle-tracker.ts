import { createHook } from 'node:async_hooks'
import { pluginContext } from './plugin-context.ts'

/** Async resources that keep running plugin code (or hold a port) after unload if nobody stops them. */
const WHAT: Record<string, string> = {
  Timeout: 'timer (setTimeout/setInterval)',
  Immediate: 'setImmediate callback',
  TCPSERVERWRAP: 'TCP server',
  TCPWRAP: 'TCP socket',
  PIPESERVERWRAP: 'pipe server',
  PIPEWRAP: 'pipe',
  UDPWRAP: 'UDP socket',
  FSEVENTWRAP: 'file watcher',
  STATWATCHER: 'file watcher (fs.watchFile)',
  PROCESSWRAP: 'child process',
  WORKER: 'worker thread',
  SIGNALWRAP: 'signal listener',
}

const live = new Map<number, { scopeId: number; type: string }>()
let enabled = false

/**
 * Starts recording which plugin load created each timer, socket, server or
 * child process (async_hooks, promises excluded). Costs a little on every
 * such resource, so only the dry run and --reload turn it on.
 */
export function startHandleTracking(): void {
  if (enabled) return
  enabled = true
  createHook({
    init(asyncId, type) {
      if (!(type in WHAT)) return
      const ctx = pluginContext.getStore()
      if (ctx) live.set(asyncId, { scopeId: ctx.scopeId, type })
    },
    destroy(asyncId) {
      live.delete(asyncId)
    },
    trackPromises: false,
  } as Parameters<typeof createHook>[0]).enable()
}

export const handleTrackingEnabled = () => enabled

/** What a plugin load still has running, e.g. ["1 timer (setTimeout/setInterval)"]; waits up to settleMs for short timers to finish. */
export async function handlesLeftBy(scopeId: number, settleMs = 100): Promise<string[]> {
  const deadline = Date.now() + settleMs
  let left: Array<{ type: string }> = []
  for (;;) {
    await new Promise((r) => setImmediate(r)) // destroy hooks run asynchronously
    left = [...live.values()].filter((h) => h.scopeId === scopeId)
    if (!left.length || Date.now() >= deadline) break
    await new Promise((r) => setTimeout(r, 10))
  }
  const counts = new Map<string, number>()
  for (const h of left) counts.set(WHAT[h.type]!, (counts.get(WHAT[h.type]!) ?? 0) + 1)
  return [...counts].map(([what, n]) => `${n} ${what}`)
}
