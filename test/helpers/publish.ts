import { loadConfig } from '../../src/config/load-config.ts'
import { publishOnce } from '../../src/publish/publish-once.ts'

/**
 * The publish pass of `app plugins sync` (writer lock, sources, dry run, one generation), run in this
 * process: a spawned CLI costs about a second per call, and what only a process can show (signals,
 * locks, crashes) has its own end-to-end tests.
 */
export async function publishInProcess(dataDir: string, pluginsDir: string, env: Record<string, string> = {}) {
  const config = loadConfig({ flags: { dataDir, pluginsDir }, env: { APP_SETTLE_MS: '0', ...env } })
  return publishOnce(config)
}
