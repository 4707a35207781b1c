import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../log/create-logger.ts'

export interface RoleContext {
  config: Config
  logger: Logger
}

/** A started role; stop() finishes or releases in-flight work and closes what it opened. */
export interface Role {
  name: string
  stop(): Promise<void>
}
