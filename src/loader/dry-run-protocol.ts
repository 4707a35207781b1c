import type { MessagePort } from 'node:worker_threads'
import type { DryRunRecord } from '../sdk/host-services.ts'
import type { Warning } from '../store/store-types.ts'
import type { UidKind } from './host-registries.ts'
import type { RegisteredSummary } from './plugin-host.ts'

/** One dry run, sent to a fresh thread. */
export interface DryRunJob {
  cacheDir: string
  dir: string
  plugin: { name: string; version: string; manifest: Record<string, unknown> }
  timeoutMs: number
  /** uids other plugins of the current generation hold: a clash is DUPLICATE_UID for whoever comes later in name order. */
  holders: Array<{ kind: UidKind; id: string; plugin: string }>
  /** runtime.db, opened read-only so DbObjects reads work in load(); writes are skipped. null: reads come over `reads`. */
  runtimeDb: string | null
  /** The scheduler's data directory (the SDK's host.dataDir). */
  dataDir: string
  /** With `reads` (PostgreSQL): the plugin's settings values, which plugin code reads synchronously. */
  settings?: Map<string, unknown>
}

/** `reads`: a port the scheduler answers DbObjects, bots, events and storage reads on (serveDryRunReads). */
export type ToDryRun = { type: 'run'; job: DryRunJob; reads?: MessagePort }

export type FromDryRun =
  | { type: 'ready' }
  | { type: 'phase'; phase: string }
  /** recorded: the writes the plugin's code asked for (DbObjects, ScheduledEventTracker, storage), not made. */
  | { type: 'result'; warnings: Warning[]; registered: RegisteredSummary | null; recorded?: DryRunRecord[] }
