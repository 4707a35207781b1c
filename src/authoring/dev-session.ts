import { createServer } from 'node:net'
import { basename, join, relative } from 'node:path'
import { watch } from 'chokidar'
import type { Config } from '../config/config-schema.ts'
import { createLogger } from '../log/create-logger.ts'
import { runRoles } from '../roles/run-roles.ts'
import { resolveAdminToken } from '../web/admin-token.ts'
import { createFolderMirror, isLeftOut } from './mirror-folder.ts'
import { createMirrorSchedule } from './mirror-schedule.ts'
import { startWarningFeed } from './warning-feed.ts'

/** A free TCP port on `host` (the web role is then started on it, so its URL is known before it listens). */
function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer()
    server.once('error', rej)
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number }
      server.close(() => res(port))
    })
  })
}

/** Resolves once the web role answers /livez (or when `stop` says so). */
async function webUp(base: string, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    try {
      if ((await fetch(`${base}/livez`)).ok) return true
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/**
 * `app plugin dev <dir>`: every role in this process (`--role=all --reload`)
 * on a temporary data directory `tmp`, whose plugins/ holds a copy of the
 * folder kept current as the author saves (the scheduler's own watch then
 * republishes it and the roles reload it). Prints the admin URL and token,
 * each published generation and each new warning; resolves with the exit code
 * once a signal (Ctrl-C) has stopped the roles. The caller removes `tmp`.
 */
export async function runDevSession(dir: string, tmp: string, base: Config, print: (line: string) => void): Promise<number> {
  const dataDir = join(tmp, 'data')
  const pluginsDir = join(tmp, 'plugins')
  const mirror = createFolderMirror(dir, join(pluginsDir, basename(dir)))
  mirror()
  const port = base.port === 0 ? await freePort(base.host) : base.port
  const config: Config = { ...base, role: 'all', dataDir, pluginsDir, port, reload: true }
  const admin = resolveAdminToken(dataDir)
  const schedule = createMirrorSchedule(mirror, (error) => print(`dev: could not copy ${dir}: ${error.message}`))
  const watcher = watch(dir, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (path) => relative(dir, path).split('/').some(isLeftOut),
  })
  watcher.on('all', () => schedule.changed())
  await new Promise<void>((res, rej) => watcher.once('ready', res).once('error', rej))
  const feed = startWarningFeed({ dataDir, print })
  let done = false
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`
  void webUp(url, () => done).then((up) => {
    if (!up) return
    print(`dev: ${basename(dir)} runs in every role, reloaded on each save of ${dir}`)
    print(`dev: admin ${url}/settings/integrations/plugins  (sign in with the token below; scripts send Authorization: Bearer <token>)`)
    print(`dev: token ${admin.from === 'env' ? '(APP_ADMIN_TOKEN)' : admin.token}`)
    print(`dev: data  ${tmp} (removed on Ctrl-C)`)
  })
  try {
    return await runRoles('all', { config, logger: createLogger({ level: config.logLevel, destination: 1 }) })
  } finally {
    done = true
    await watcher.close()
    schedule.stop()
    await feed.stop()
  }
}
