import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { MessagePort, Worker } from 'node:worker_threads'
import type { DryRunReads } from '../host/create-dry-run-services.ts'
import type { Logger } from '../log/create-logger.ts'
import type { Candidate, ValidateVersion } from '../sources/source-types.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { Warning } from '../store/store-types.ts'
import { spawnThread } from '../threads/spawn-thread.ts'
import type { DryRunJob, FromDryRun, ToDryRun } from './dry-run-protocol.ts'
import { serveDryRunReads } from './dry-run-reads.ts'
import type { UidKind } from './host-registries.ts'
import { cacheDirOf, materializeBundle } from './materialize-bundle.ts'
import type { RegisteredSummary } from './plugin-host.ts'
import type { WarningCode } from '../errors/codes.ts'
import type { DryRunRecord } from '../sdk/host-services.ts'

/** A thread gets this long to start; plugin code is not running yet. */
const STARTUP_MS = 30_000
/** The thread's own timers report async overruns first; this catches a thread stuck in a synchronous loop. */
const MARGIN_MS = 1000
/** A plugin that allocates without bound ends its own thread, not the scheduler. */
const MAX_HEAP_MB = 512
const SPARES = Math.max(1, availableParallelism())

type Holder = DryRunJob['holders'][number]
interface DryThread {
  thread: Worker
  ready: boolean
  onReady: (() => void) | null
}

export interface DryRun extends ValidateVersion {
  /** Terminates the threads kept warm for the next dry runs. */
  stop(): Promise<void>
}

/**
 * The publish-time dry run (ValidateVersion for syncPlugins): materializes
 * the candidate into the cache, then imports and loads it in a fresh thread
 * that is terminated afterwards, or as soon as a step overruns the timeout.
 * A plugin that hangs or crashes at import never reaches a worker or web
 * process: its LOAD_TIMEOUT / IMPORT_FAILED is an error, so it is not loaded.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: owns one dry-run thread: spawning, the watchdog and the restart share its state
export function createDryRun(options: {
  dataDir: string
  store: StoreReader
  timeoutMs: number
  logger?: Logger
  /** What load() reads for real (PostgreSQL: the scheduler's own reads); unset: runtime.db, read-only in the thread. */
  reads?: DryRunReads
}): DryRun {
  const cacheDir = cacheDirOf(options.dataDir)
  const runtimeDb = options.reads ? null : join(options.dataDir, 'runtime.db')
  // Threads started ahead (one per core): a dry run is mostly a thread's start-up, so while one plugin runs
  // the next ones are already starting; sync validates one plugin at a time, in name order.
  const spares: DryThread[] = []
  let known: { generation: number | null; holders: Holder[] } | null = null
  /** Candidates validated since the generation last changed: same-pass clashes count too (sync validates in name order). */
  const pass = new Map<string, Holder[]>()

  const start = (): DryThread => {
    const t: DryThread = {
      thread: spawnThread('plugin-dry-run', null, { resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB } }),
      ready: false,
      onReady: null,
    }
    t.thread.unref()
    t.thread.once('message', (msg: FromDryRun) => {
      if (msg.type !== 'ready') return
      t.ready = true
      t.onReady?.()
    })
    t.thread.on('error', () => {}) // reported by the run that owns the thread
    return t
  }

  async function holdersFor(name: string): Promise<Holder[]> {
    const generation = await options.store.currentGenerationId()
    if (!known || known.generation !== generation) {
      const current = await options.store.currentGeneration()
      known = {
        generation,
        holders: (current?.plugins ?? []).filter((p) => p.status !== 'error').flatMap((p) => holdersOf(p.name, p.registered)),
      }
      pass.clear()
    }
    return [
      ...known.holders.filter((h) => h.plugin !== name && !pass.has(h.plugin)),
      ...[...pass].filter(([p]) => p !== name).flatMap(([, hs]) => hs),
    ]
  }

  async function run(
    job: DryRunJob,
    ahead: number,
  ): Promise<{ warnings: Warning[]; registered: RegisteredSummary | null; recorded?: DryRunRecord[] }> {
    const reads = options.reads ? serveDryRunReads(options.reads) : null
    try {
      return await runInThread(job, reads?.port, ahead)
    } finally {
      reads?.close()
    }
  }

  function runInThread(
    job: DryRunJob,
    reads: MessagePort | undefined,
    ahead: number,
  ): Promise<{ warnings: Warning[]; registered: RegisteredSummary | null; recorded?: DryRunRecord[] }> {
    const t = spares.shift() ?? start()
    // No more spares than the pass has plugins left: a one-shot `plugins sync` of one plugin started three threads.
    while (spares.length < Math.min(SPARES, ahead)) spares.push(start())
    const { name, version } = job.plugin
    let phase = 'starting the dry-run thread'
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      let settled = false
      const finish = (result: { warnings: Warning[]; registered: RegisteredSummary | null; recorded?: DryRunRecord[] }) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        t.thread.removeAllListeners('message')
        t.thread.removeAllListeners('exit')
        void t.thread.terminate()
        resolve(result)
      }
      const fail = (code: WarningCode, message: string, detail: string | null = null) =>
        finish({ warnings: [{ code, severity: 'error', plugin: name, version, message, detail }], registered: null })
      const arm = (ms: number) => {
        clearTimeout(timer)
        timer = setTimeout(
          () =>
            fail(
              'LOAD_TIMEOUT',
              `plugin "${name}": ${phase} did not finish within ${job.timeoutMs} ms in the publish dry run (a synchronous loop, or work that never ends?). The thread was stopped; the version is published as failed and no role loads it. Fix the plugin, or raise loader.loadTimeoutMs.`,
              phase,
            ),
          ms,
        )
      }
      const send = () => {
        phase = 'the dry run'
        arm(job.timeoutMs + MARGIN_MS)
        t.thread.postMessage({ type: 'run', job, reads } satisfies ToDryRun, reads ? [reads] : [])
      }
      arm(STARTUP_MS)
      t.thread.on('message', (msg: FromDryRun) => {
        if (msg.type === 'phase') {
          phase = msg.phase
          arm(job.timeoutMs + MARGIN_MS)
        } else if (msg.type === 'result') finish({ warnings: msg.warnings, registered: msg.registered, recorded: msg.recorded })
      })
      t.thread.on('error', (error: Error & { code?: string }) => {
        const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? ` (it used more than ${MAX_HEAP_MB} MB of heap)` : ''
        fail(
          'LOAD_FAILED',
          `plugin "${name}": the publish dry run crashed during ${phase}${memory}: ${error.message}. The version is published as failed; fix the plugin.`,
          error.stack ?? null,
        )
      })
      t.thread.once('exit', (code) =>
        fail(
          'LOAD_FAILED',
          `plugin "${name}": its code ended the dry-run thread (exit code ${code}, process.exit()?) during ${phase}. Plugins must not exit the process; the version is published as failed.`,
          phase,
        ),
      )
      if (t.ready) send()
      else t.onReady = send
    })
  }

  const validate = async (candidate: Candidate, blobs: Map<string, Buffer>, hint: { ahead?: number } = {}) => {
    const name = candidate.check.name
    const manifest = (candidate.check.manifest ?? {}) as Record<string, unknown>
    const bundle = { sha256: candidate.bundle.sha256, files: candidate.bundle.files }
    const dir = await materializeBundle(cacheDir, bundle, async (sha) => {
      const path = candidate.bundle.paths.get(sha)
      return blobs.get(sha) ?? candidate.bundle.blobs.get(sha) ?? (await options.store.blob(sha)) ?? (path ? readFileSync(path) : null)
    })
    const holders = await holdersFor(name)
    const started = Date.now()
    const result = await run(
      {
        cacheDir,
        dir,
        plugin: { name, version: candidate.check.version, manifest },
        timeoutMs: options.timeoutMs,
        holders,
        runtimeDb,
        dataDir: options.dataDir,
        settings: options.reads?.pluginSettings?.values(name),
      },
      hint.ahead ?? SPARES,
    )
    pass.set(name, holdersOf(name, result.registered as Record<string, unknown> | null))
    options.logger?.debug(
      { plugin: name, version: candidate.check.version, ms: Date.now() - started, warnings: result.warnings.map((w) => w.code) },
      'dry run',
    )
    // What load() would have written in a role (host.dryRun): recorded, not made.
    if (result.recorded?.length)
      options.logger?.info(
        {
          plugin: name,
          version: candidate.check.version,
          wouldWrite: result.recorded.slice(0, 20).map((r) => ({ call: r.call, detail: r.detail })),
          count: result.recorded.length,
        },
        'dry run: writes recorded, not made',
      )
    return { warnings: result.warnings, registered: result.registered as Record<string, unknown> | null }
  }

  return Object.assign(validate, {
    async stop() {
      await Promise.all(spares.splice(0).map((t) => t.thread.terminate()))
    },
  })
}

/** The uids a stored `registered` summary holds. */
function holdersOf(plugin: string, registered: Record<string, unknown> | null): Holder[] {
  if (!registered) return []
  const list = (key: string) => (Array.isArray(registered[key]) ? (registered[key] as unknown[]) : [])
  const out: Holder[] = []
  const add = (kind: UidKind, id: unknown) => {
    if (typeof id === 'string') out.push({ kind, id, plugin })
  }
  for (const f of list('filters')) add('filter', (f as { queryId?: unknown })?.queryId)
  for (const a of list('actions')) add('action', (a as { uid?: unknown })?.uid)
  for (const e of list('eventTypes')) add('eventType', typeof e === 'string' ? e : (e as { id?: unknown })?.id)
  return out
}
