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
  /** runtime.db, opened read-only so DbObjects reads work in load(); writes are skipped. */
  runtimeDb: string | null
}

export type ToDryRun = { type: 'run'; job: DryRunJob }

export type FromDryRun =
  | { type: 'ready' }
  | { type: 'phase'; phase: string }
  /** recorded: the writes the plugin's code asked for (DbObjects, ScheduledEventTracker, storage), not made. */
  | { type: 'result'; warnings: Warning[]; registered: RegisteredSummary | null; recorded?: DryRunRecord[] }
