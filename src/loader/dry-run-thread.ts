import { parentPort } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
import { createDryRunServices, readonlyRuntimeReads } from '../host/create-dry-run-services.ts'
import type { Warning } from '../store/store-types.ts'
import type { FromDryRun, ToDryRun, DryRunJob } from './dry-run-protocol.ts'
import { askDryRunReads } from './dry-run-reads.ts'
import { startHandleTracking } from './handle-tracker.ts'
import { createHostRegistries } from './host-registries.ts'
import { loadPlugin, unloadPlugin } from './load-plugin.ts'
import { guardProcess } from './guard-process.ts'
import { summarizeRegistrations } from './summarize-registrations.ts'
import { describeError } from './with-timeout.ts'

/**
 * The publish-time dry run, in a thread of its own that is terminated after
 * (or when it overruns): import, load(), record what it registered, unload()
 * and check nothing stays behind. The thread starts before it is needed and
 * waits for its one job.
 */
export default async function dryRunThread(): Promise<void> {
  const port = parentPort!
  const post = (msg: FromDryRun) => port.postMessage(msg)
  startHandleTracking()
  port.once('message', (msg: ToDryRun) => {
    void run(msg.job, msg.reads, post)
  })
  post({ type: 'ready' })
}

async function run(job: DryRunJob, reads: MessagePort | undefined, post: (msg: FromDryRun) => void): Promise<void> {
  const escaped: Warning[] = []
  const { name, version } = job.plugin
  guardProcess((_plugin, kind, error) => {
    const e = describeError(error)
    escaped.push({
      code: 'UNHANDLED_ERROR',
      severity: 'warning',
      plugin: name,
      version,
      message: `plugin "${name}": ${kind} escaped plugin code during the publish dry run: ${e.message}. Catch errors inside the plugin (await its promises, try/catch in callbacks).`,
      detail: e.detail,
    })
    return true
  })
  const registries = createHostRegistries()
  for (const h of job.holders) {
    const held = registries[h.kind].holder(h.id)
    if (!held || h.plugin < held.plugin) registries[h.kind].set(h.id, { plugin: h.plugin, scopeId: 0, value: null as never, lose() {} })
  }
  const real = reads ? askDryRunReads(reads, { plugin: name, values: job.settings ?? new Map() }) : readonlyRuntimeReads(job.runtimeDb)
  const services = createDryRunServices(real, job.dataDir)
  const load = await loadPlugin({
    plugin: job.plugin,
    dir: job.dir,
    cacheDir: job.cacheDir,
    registries,
    services,
    timeoutMs: job.timeoutMs,
    onPhase: (phase) => post({ type: 'phase', phase }),
  })
  let registered = null
  if (load.ok) {
    load.scope.commit()
    registered = summarizeRegistrations(load.scope, job.plugin.manifest)
    post({ type: 'phase', phase: 'unload() and the leak check' })
    await unloadPlugin(load, job.timeoutMs)
  }
  const warnings: Warning[] = [...load.scope.warnings(), ...escaped].map((w) => ({
    code: w.code,
    severity: w.severity,
    plugin: name,
    version,
    message: w.message,
    detail: w.detail ?? null,
  }))
  post({ type: 'result', warnings, registered, recorded: services.dryRunRecords ?? [] })
}
