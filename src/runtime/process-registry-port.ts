import type { LoadReport, ProcessInfo, StoredLoadReport } from './process-info.ts'

/** One registered process: its row in the registry, kept beating until stop(). */
export interface ProcessRegistration {
  id: string
  /** The plugin generation this process now runs (null: none); also a heartbeat. */
  setGeneration(generation: number | null): Promise<void>
  /** Replaces this process's load reports (one transaction: readers never see half a load). */
  reportLoad(reports: LoadReport[]): Promise<void>
  /** Stops the heartbeat and marks the row stopped. */
  stop(): Promise<void>
}

/**
 * The process registry (tables processes and load_reports) on either backend: each role registers and
 * beats; the web console, the report, the doctor and a publish deciding what it may prune read it.
 */
export interface ProcessRegistryPort {
  /** Registers this process (role, host, pid, app version) and beats every heartbeatMs (default 5000). */
  register(role: string, options?: { heartbeatMs?: number }): Promise<ProcessRegistration>
  /** The newest 500 processes not marked stopped (includeStopped: with those), live as of `now` (default: the clock). */
  list(options?: { includeStopped?: boolean; now?: number }): Promise<ProcessInfo[]>
  /** Every process's load reports, or those of one plugin. */
  loadReports(plugin?: string): Promise<StoredLoadReport[]>
  /**
   * Deletes the processes stopped, or silent (a crash, a kill -9: never marked stopped), since before `before`,
   * with their load reports; returns how many. Nothing reads them (every view takes live processes), but each
   * rebuild of the admin report did, and a host that restarts daily kept adding rows forever.
   */
  prune(before: Date): Promise<number>
}
