import { userInfo } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { openReaderBackend } from '../../backend/open-backend.ts'
import type { Config } from '../../config/config-schema.ts'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { readDisabledPlugins } from '../../publish/disabled-plugins.ts'
import type { PluginAction, PluginRequest } from '../../runtime/plugin-requests.ts'
import { print, printJson } from '../print-output.ts'

/** Who the audit list names for a CLI action: the operating-system user. */
function cliActor(): string {
  try {
    return `${userInfo().username} (CLI)`
  } catch {
    return 'CLI'
  }
}

/**
 * `app plugins disable|enable <name>`: queues the request in the runtime tables (the CLI
 * never writes the plugin store: the scheduler does), then waits up to waitS for the
 * scheduler's outcome. Done: exit 0; failed: exit 1 with its message; still
 * pending: exit 0 saying it is queued for the scheduler.
 */
export async function submitPluginRequest(
  config: Config,
  name: string,
  action: PluginAction,
  options: { waitS: number; json?: boolean },
): Promise<void> {
  const { store, runtime, close } = await openReaderBackend(config, 'cli', { waitMs: 0 })
  let request: PluginRequest
  try {
    const generation = await store.currentGeneration()
    const disabled = await readDisabledPlugins(store)
    if (!generation?.plugins.some((p) => p.name === name) && !disabled[name]) {
      const names = [...(generation?.plugins ?? []).map((p) => p.name), ...Object.keys(disabled)].sort()
      throw new AppError(
        'PLUGIN_NOT_FOUND',
        `no plugin named "${name}" in generation ${generation?.id ?? 'none'}, and none disabled by that name${names.length ? `; plugins: ${names.join(', ')}` : ''}. \`app plugins list\` shows them.`,
      )
    }
    request = await runtime.console.requests.request({ plugin: name, action, by: cliActor() })
    const deadline = Date.now() + options.waitS * 1000
    while (request.status === 'pending' && Date.now() < deadline) {
      await sleep(200)
      request = (await runtime.console.requests.get(request.id)) ?? request
    }
  } finally {
    await close()
  }
  if (options.json) printJson(request)
  if (request.status === 'failed')
    throw new AppError('PLUGIN_REQUEST_FAILED', `${action} ${name} (request #${request.id}) failed: ${request.message}`, {
      exitCode: ExitCode.runtime,
    })
  if (options.json) return
  if (request.status === 'done') return print(`${request.message} (request #${request.id})`)
  print(
    `request #${request.id} to ${action} ${name} is queued: no scheduler applied it within ${options.waitS} s. The scheduler (app --role=scheduler) applies it when it runs; the admin page and GET /api/v1/audit show the outcome.`,
  )
}

/** --wait <seconds>: a whole number from 0 to 600. */
export function waitSeconds(value: string | undefined): number {
  const n = value === undefined ? 10 : Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 600)
    throw new AppError('USAGE', `--wait must be a whole number of seconds from 0 to 600; found "${value}"`, { exitCode: ExitCode.usage })
  return n
}
