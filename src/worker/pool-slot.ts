import { spawnThread } from '../threads/spawn-thread.ts'
import type { FromThread, HandlerThreadData, ToThread } from './handler-protocol.ts'
import { pump } from './pool-dispatch.ts'
import { onThreadExit } from './pool-exit.ts'
import type { PoolState, Slot } from './pool-state.ts'

/** Starts the handler thread of slot `index` (a first one, or one taking a dead thread's place) and wires its messages and exit. */
export function spawnSlot(state: PoolState, index: number): void {
  const { base, fence, log } = state
  const current = new Float64Array(new SharedArrayBuffer(24))
  const data: HandlerThreadData = {
    ...base,
    generation: state.generation,
    index,
    current: current.buffer as SharedArrayBuffer,
    claims: fence.buffer,
    fenceMs: fence.fenceMs,
  }
  const thread = spawnThread('event-handler', data, { resourceLimits: state.resourceLimits })
  const slot: Slot = {
    index,
    thread,
    current,
    ready: false,
    loaded: false,
    stopped: false,
    givingBack: false,
    jobs: new Map(),
    started: new Set(),
    owners: {},
    code: [],
    exitReason: null,
    measuring: false,
    exited: new Promise((r) => thread.once('exit', () => r())),
  }
  state.slots[index] = slot
  slot.thread.on('message', (msg: FromThread) => onMessage(state, slot, msg))
  slot.thread.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.exitReason ??= 'memory'
    log.error({ err: error, thread: index }, 'handler thread crashed')
  })
  slot.thread.on('exit', (code) => onThreadExit(state, slot, code, spawnSlot))
}

function onMessage(state: PoolState, slot: Slot, msg: FromThread): void {
  const { options } = state
  if (msg.type === 'ready') {
    slot.ready = true
    slot.loaded = true
    slot.owners = msg.owners
    slot.code = msg.code ?? []
    state.failuresInARow = 0
    options.onReady(slot.index, msg.ids, msg.reports, msg.generation)
    // Started before a --reload and loaded the older generation: catch up.
    const { generation } = state
    if (generation !== null && msg.generation !== generation) slot.thread.postMessage({ type: 'reload', generation } satisfies ToThread)
    pump(state)
  } else if (msg.type === 'reports') {
    options.onReports(slot.index, msg.reports)
  } else if (msg.type === 'results') {
    for (const r of msg.results) {
      slot.jobs.delete(r.id)
      slot.started.delete(r.id)
      state.doomed.delete(r.id)
      if (r.ms !== undefined && r.outcome !== 'released') state.avgMs += (r.ms - state.avgMs) * 0.1
    }
    options.onResults(msg.results)
    pump(state)
  } else if (msg.type === 'returned') {
    slot.givingBack = false
    const jobs = msg.ids.map((id) => slot.jobs.get(id)).filter((j) => j !== undefined)
    for (const j of jobs) slot.jobs.delete(j.id)
    state.backlog.unshift(...jobs)
    pump(state)
  } else if (msg.type === 'fatal') {
    state.log.error({ thread: slot.index, error: msg.error }, 'handler thread could not load the plugins')
  } else if (msg.type === 'stopped') {
    slot.stopped = true
  }
}
