import type { WarningCode } from './codes.ts'

export type Severity = 'error' | 'warning' | 'info'

/** A warning as found (DESIGN section 6); where/when/count are added when it is stored or merged. */
export interface Warning {
  code: WarningCode
  severity: Severity
  plugin: string | null
  version: string | null
  message: string
  detail?: string | null
}
