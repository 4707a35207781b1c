import type { Command } from 'commander'
import { loadConfig } from '../config/load-config.ts'
import { createLogger } from '../log/create-logger.ts'

/** Global flags as config keys: flags override APP_* env, which overrides app.toml. */
export function configFromCommand(cmd: Command) {
  const o = cmd.optsWithGlobals() as Record<string, unknown>
  return loadConfig({
    configFile: o.config as string | undefined,
    flags: {
      role: o.role,
      dataDir: o.dataDir,
      pluginsDir: o.pluginsDir,
      host: o.host,
      port: o.port === undefined ? undefined : Number.isNaN(Number(o.port)) ? o.port : Number(o.port),
      logLevel: o.logLevel,
      reload: o.reload,
      concurrency: o.concurrency === undefined ? undefined : Number(o.concurrency),
    },
  })
}

export function contextFromCommand(cmd: Command, options: { destination?: 1 | 2 } = {}) {
  const config = configFromCommand(cmd)
  return { config, logger: createLogger({ level: config.logLevel, destination: options.destination ?? 2 }) }
}
