import { createSqliteProcessRegistry } from '../runtime/process-registry.ts'
import type { ProcessRegistryPort } from '../runtime/process-registry-port.ts'
import type { RuntimeErrors } from '../runtime/runtime-errors-port.ts'
import { createSqliteRuntimeErrors } from '../runtime/sqlite-runtime-errors.ts'
import type { SettingsPort } from '../settings/settings-port.ts'
import { createSqliteSettingsStore } from '../settings/settings-store.ts'
import type { Db } from '../store/open-database.ts'

/** What the reports read of the runtime tables, through the ports of either backend (a RuntimeBackend has them all). */
export interface ReportRuntime {
  processes: Pick<ProcessRegistryPort, 'list' | 'loadReports'>
  errors: Pick<RuntimeErrors, 'list'>
  settings: Pick<SettingsPort, 'readAll'>
}

const wrapped = new WeakMap<Db, ReportRuntime>()

/** The ports themselves, or the SQLite ones over a runtime.db connection (callers that opened one), made once per connection. */
export function reportRuntimeOf(runtime: ReportRuntime | Db): ReportRuntime {
  if (!('prepare' in runtime)) return runtime
  let ports = wrapped.get(runtime)
  if (!ports) {
    ports = {
      processes: createSqliteProcessRegistry(runtime),
      errors: createSqliteRuntimeErrors(runtime),
      settings: createSqliteSettingsStore(runtime),
    }
    wrapped.set(runtime, ports)
  }
  return ports
}
