import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { ApiCode } from '../errors/codes.ts'
import type { Logger } from '../log/create-logger.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import type { SnapshotSource } from './admin-snapshot.ts'
import type { Auth } from './create-auth.ts'
import type { WebMetrics } from './web-metrics.ts'
import type { WebStore } from './web-store.ts'

/** The parts of a plugin host the web app uses: routes, frontend files, and what it loaded. */
export type WebPluginHost = Pick<PluginHost, 'blueprints' | 'frontend' | 'generation'>

/** What every route module of the web app shares. */
export interface WebDeps {
  store: WebStore
  runtime: RuntimeBackend
  snapshots: SnapshotSource
  auth: Auth
  metrics: WebMetrics
  host: WebPluginHost | null
  isReady: () => boolean
  logger: Logger | null
  /** How long a plugin route may take to answer (default 30 s); tests shorten it. */
  pluginRouteTimeoutMs?: number
}

/** The error body of every JSON error: callers branch on code. */
export const jsonError = (code: ApiCode, message: string) => ({ error: { code, message } })
