import type { Config } from '../config/config-schema.ts'
import { createTrust } from '../signing/create-trust.ts'
import { createArchiveHandler } from '../sources/archive-handler.ts'
import { createDirectorySource } from '../sources/directory-source.ts'
import { createHttpSource } from '../sources/http-source.ts'
import { createS3Source } from '../sources/s3-source.ts'
import type { PluginSource } from '../sources/source-types.ts'

/** The local plugins directory first, then the configured remote sources in order (first wins a name). */
export function createSources(config: Config, env: NodeJS.ProcessEnv = process.env): PluginSource[] {
  const trust = createTrust(config.trust)
  const limits = config.limits
  return [
    createDirectorySource(config.pluginsDir, {
      limits,
      settleMs: config.watch.settleMs,
      trust,
      archives: createArchiveHandler({ limits, trust }),
    }),
    ...config.sources.map((s, i) =>
      s.type === 'http' ? createHttpSource(s, { where: `sources[${i}]`, limits, trust, env }) : createS3Source(s, { limits, trust }),
    ),
  ]
}
