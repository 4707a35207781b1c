// Our PostgreSQL queue adapter driven the way src/worker drives its queue, in one process and without handler
// threads: a claim loop claims batches as the handler slots want them (each holds up to JOBS_PER_THREAD jobs this short),
// the slots run a no-op handler, a watchdog records the starts of running handlers every 25 ms, and a flusher
// writes starts then results in one batch per turn of the event loop. No polling: the loop sleeps until a
// NOTIFY (listenForJobs), a slot frees room, or the timer on nextDueAt.
import type { PgPool } from '../../src/postgres/open-postgres.ts'
import type { ClaimedJob, JobResult, JobStart } from '../../src/queue/job-types.ts'
import { createPostgresJobQueue } from '../../src/queue/postgres-job-queue.ts'
import { listenForJobs } from '../../src/queue/postgres-job-wakeup.ts'
import { JOBS_PER_THREAD } from '../../src/worker/pool-dispatch.ts'

/** As src/worker: JOBS_PER_THREAD (pool-dispatch.ts), MAX_CLAIM (claim-loop.ts), WATCH_MS (pool-watchdog.ts). */
const JOBS_PER_SLOT = JOBS_PER_THREAD
const MAX_CLAIM = 1024
const WATCH_MS = 25
const CONFIRM_MS = 800

interface Slot {
  jobs: ClaimedJob[]
  current: ClaimedJob | null
  startedAt: number
  marked: boolean
  wake: (() => void) | null
}

export interface OurWorkerOptions {
  pool: PgPool
  url: string
  owner: string
  concurrency: number
  handler(job: ClaimedJob): void | Promise<void>
}

export async function startOurWorker(o: OurWorkerOptions) {
  const queue = createPostgresJobQueue(o.pool, { owner: o.owner, leaseMs: 30_000, maxAttempts: 5 })
  const types = JSON.stringify(['bench.noop'])
  const slots: Slot[] = Array.from({ length: o.concurrency }, () => ({ jobs: [], current: null, startedAt: 0, marked: false, wake: null }))
  let results: JobResult[] = []
  let starts: JobStart[] = []
  let flushing: Promise<void> | null = null
  let completed = 0
  let failure: Error | null = null
  let stopping = false
  let dirty = true
  let nextDue = 0
  let poked = false
  let wakeLoop: (() => void) | null = null
  const poke = () => {
    poked = true
    const wake = wakeLoop
    wakeLoop = null
    wake?.()
  }
  const load = (s: Slot) => s.jobs.length + (s.current ? 1 : 0)
  // pool-dispatch.ts countWanted: all the room there is when a slot sits idle, otherwise nothing until half is free.
  const wanted = () => {
    const free = o.concurrency * JOBS_PER_SLOT - slots.reduce((n, s) => n + load(s), 0)
    return slots.some((s) => load(s) === 0) || free >= (o.concurrency * JOBS_PER_SLOT) / 2 ? free : 0
  }
  const dispatch = (jobs: ClaimedJob[]) => {
    const byLoad = [...slots].sort((a, b) => load(a) - load(b))
    let i = 0
    for (const [n, slot] of byLoad.entries()) {
      const share = Math.min(JOBS_PER_SLOT - load(slot), Math.ceil((jobs.length - i) / (byLoad.length - n)))
      slot.jobs.push(...jobs.slice(i, i + share))
      i += share
      slot.wake?.()
    }
  }

  const flush = async () => {
    const batch = results
    const begun = starts
    results = []
    starts = []
    try {
      const revoked = await queue.markStarted(begun)
      const lost = await queue.complete(batch)
      if (revoked.length || lost.length) throw new Error(`claims lost in the benchmark: ${[...revoked, ...lost].join(', ')}`)
      completed += batch.length
    } catch (error) {
      failure = error as Error
    }
    flushing = null
    if (results.length || starts.length) flushSoon()
    dirty = true
    poke()
  }
  const flushSoon = () => {
    flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush)
  }

  const runSlot = async (slot: Slot) => {
    while (!stopping) {
      const job = slot.jobs.shift()
      if (!job) {
        await new Promise<void>((r) => {
          slot.wake = r
        })
        slot.wake = null
        continue
      }
      slot.current = job
      slot.startedAt = Date.now()
      slot.marked = false
      await o.handler(job)
      slot.current = null
      results.push({ id: job.id, token: job.token, attempt: job.attempt, outcome: 'done' })
      flushSoon()
      // A slot with room: the claim loop may want more now, while these results are still being written.
      if (!slot.jobs.length) poke()
    }
  }

  const claimLoop = async () => {
    while (!stopping) {
      let more = false
      if (dirty || Date.now() >= nextDue) {
        const free = wanted()
        if (free > 0) {
          const jobs = await queue.claim(Math.min(free, MAX_CLAIM), types)
          if (jobs.length) dispatch(jobs)
          more = jobs.length === Math.min(free, MAX_CLAIM)
          if (!more) {
            dirty = false
            nextDue = (await queue.nextDueAt(types)) ?? Number.POSITIVE_INFINITY
          }
        }
      }
      if (!poked && !more && !stopping) {
        await new Promise<void>((resolve) => {
          const wait = nextDue - Date.now()
          const timer = !dirty && wait > 0 && Number.isFinite(wait) ? setTimeout(poke, wait) : undefined
          wakeLoop = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
      poked = false
    }
  }

  const now = new Date().toISOString()
  await o.pool.query(
    `INSERT INTO runtime.processes (id, role, host, pid, version, started_at, heartbeat_at) VALUES ($1, 'worker', 'bench', $2, 'bench', $3, $3)`,
    [o.owner, process.pid, now],
  )
  const wakeup = await listenForJobs(
    o.url,
    (runAt) => {
      if (runAt !== null && runAt > Date.now()) nextDue = Math.min(nextDue, runAt)
      else dirty = true
      poke()
    },
    { applicationName: 'bench worker wakeup' },
  )
  const watchdog = setInterval(() => {
    for (const s of slots) {
      if (!s.current || s.marked) continue
      s.marked = true
      starts.push({ id: s.current.id, token: s.current.token, attempt: s.current.attempt, at: s.startedAt })
    }
    if (starts.length) flushSoon()
  }, WATCH_MS)
  const confirming = setInterval(() => void queue.confirm().catch(() => {}), CONFIRM_MS)
  // A failure ends the run with its reason (completed() throws it), and stop() still waits for every part.
  const running = [claimLoop(), ...slots.map(runSlot)].map((p) =>
    p.catch((error: Error) => {
      failure ??= error
      stopping = true
    }),
  )

  return {
    completed: () => {
      if (failure) throw failure
      return completed
    },
    async stop() {
      stopping = true
      clearInterval(watchdog)
      clearInterval(confirming)
      for (const s of slots) s.wake?.()
      poke()
      await Promise.all(running)
      await flushing
      await queue.releaseAll()
      await wakeup.close()
    },
  }
}
