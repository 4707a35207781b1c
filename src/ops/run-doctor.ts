import { accessSync, constants, existsSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { LOCK_FILE } from '../lock/writer-lock.ts'
import { listProcesses } from '../runtime/process-registry.ts'
import { RUNTIME_APPLICATION_ID, runtimeMigrations } from '../runtime/runtime-migrations.ts'
import { RUNTIME_FILE } from '../runtime/open-runtime.ts'
import { isNoexec, nativeDir, suggestNativeDir } from '../sea/native-dir.ts'
import { runtimeMode } from '../sea/runtime-mode.ts'
import { openDatabase } from '../store/open-database.ts'
import { STORE_FILE } from '../store/open-store.ts'
import { createStoreReader } from '../store/store-reader.ts'
import { STORE_APPLICATION_ID, storeMigrations } from '../store/store-migrations.ts'
import { freeSpaceAdvice } from '../fs/disk-full-error.ts'
import { cacheCheck } from './cache-check.ts'
import { checkDatabase } from './check-database.ts'
import type { DoctorCheck } from './doctor-check.ts'
import { filesystemKind, LOCAL_FILESYSTEM_FIX, sharedFilesystemProblem } from '../fs/local-filesystem.ts'
import { mountFor, realExisting } from '../fs/mount-info.ts'
import { writerLockState } from './writer-lock-state.ts'

const MiB = 1024 * 1024
/** Below this, a publish or a busy queue can fill the disk mid-transaction. */
export const DISK_FAIL_BYTES = 256 * MiB
export const DISK_WARN_BYTES = 2048 * MiB

/** Every check of `app doctor` on one data directory. Reads only: safe while the roles run. */
export async function runDoctor(dataDir: string): Promise<DoctorCheck[]> {
  if (!existsSync(dataDir)) {
    return [
      {
        name: 'data dir',
        status: 'fail',
        message: `data directory ${dataDir} does not exist.`,
        fix: 'Start the scheduler once (app --role=scheduler --data-dir DIR) to create it, or pass the right --data-dir / APP_DATA_DIR.',
      },
    ]
  }
  const checks: DoctorCheck[] = [filesystem(dataDir)]
  checks.push(
    ...checkDatabase({
      label: 'plugins.db',
      file: join(dataDir, STORE_FILE),
      applicationId: STORE_APPLICATION_ID,
      schemaVersion: storeMigrations.length,
      migrator: 'the scheduler',
      missing: {
        status: 'fail',
        message: `the plugin store ${join(dataDir, STORE_FILE)} does not exist yet.`,
        fix: 'Start the scheduler (app --role=scheduler) or run `app plugins sync` on this data directory.',
      },
    }),
  )
  checks.push(
    ...checkDatabase({
      label: 'runtime.db',
      file: join(dataDir, RUNTIME_FILE),
      applicationId: RUNTIME_APPLICATION_ID,
      schemaVersion: runtimeMigrations.length,
      migrator: 'any role',
      missing: {
        status: 'warn',
        message: `${join(dataDir, RUNTIME_FILE)} does not exist yet.`,
        fix: 'Any role creates it on start; start the scheduler.',
      },
    }),
  )
  checks.push(disk(dataDir), cacheCheck(dataDir, DISK_WARN_BYTES), writerLock(dataDir), await generations(dataDir))
  checks.push(
    directory('cache dir', join(dataDir, 'cache'), {
      why: 'plugin bundles are materialized and imported there',
      noexec: { status: 'warn', fix: 'Remount without noexec if plugins ship native addons; JavaScript plugins are not affected.' },
    }),
  )
  checks.push(
    directory('native dir', nativeDir(dataDir), {
      why: 'the single executable writes its SQLite addon there and loads it from there',
      // From source the addon comes from node_modules, so only the executable needs this directory.
      noexec: {
        status: runtimeMode() === 'sea' ? 'fail' : 'warn',
        fix: `Set APP_NATIVE_DIR to a directory on a filesystem mounted without noexec (e.g. APP_NATIVE_DIR=${suggestNativeDir() ?? '/var/cache/app'}), or remount without noexec.`,
      },
    }),
  )
  return checks
}

export function filesystem(dataDir: string): DoctorCheck {
  const kind = filesystemKind(dataDir)
  if (kind.shared) return { name: 'filesystem', status: 'fail', message: sharedFilesystemProblem(dataDir, kind), fix: LOCAL_FILESYSTEM_FIX }
  return { name: 'filesystem', status: 'ok', message: `${kind.type} at ${mountFor(dataDir)?.mountPoint ?? kind.path} (local)` }
}

export function disk(dataDir: string): DoctorCheck {
  const s = statfsSync(dataDir)
  const free = s.bavail * s.bsize
  const total = s.blocks * s.bsize
  const text = `${(free / MiB).toFixed(0)} MiB free of ${(total / MiB).toFixed(0)} MiB`
  const fix = `${freeSpaceAdvice(dataDir)} Finished jobs are pruned after [jobs] retentionMs.`
  if (free < DISK_FAIL_BYTES)
    return {
      name: 'free disk',
      status: 'fail',
      message: `${text}: below ${DISK_FAIL_BYTES / MiB} MiB, publishes and job updates may fail.`,
      fix,
    }
  if (free < DISK_WARN_BYTES) return { name: 'free disk', status: 'warn', message: `${text}: below ${DISK_WARN_BYTES / MiB} MiB.`, fix }
  return { name: 'free disk', status: 'ok', message: text }
}

function writerLock(dataDir: string): DoctorCheck {
  const state = writerLockState(dataDir)
  const r = state.recorded
  const recorded = r ? `pid ${r.pid} on ${r.host}, started ${r.startedAt} (${r.command})` : 'no holder recorded'
  if (state.held === null)
    return {
      name: 'writer lock',
      status: 'warn',
      message: `cannot tell whether ${state.file} is held (/proc/locks is not readable); last recorded holder: ${recorded}.`,
      fix: 'Check that exactly one scheduler runs (systemctl status app@scheduler).',
    }
  if (!state.held)
    return {
      name: 'writer lock',
      status: 'warn',
      message: `no scheduler holds the writer lock ${join(dataDir, LOCK_FILE)}: plugin changes are not published and schedules do not fire.`,
      fix: 'Start the scheduler: app --role=scheduler (systemctl start app@scheduler).',
    }
  const pidsText = state.pids.map((p) => (p > 0 ? String(p) : 'a process in another container')).join(', ')
  const stale =
    r && state.pids.length && state.pids[0]! > 0 && !state.pids.includes(r.pid) ? ` (the recorded holder pid ${r.pid} is stale)` : ''
  return { name: 'writer lock', status: 'ok', message: `held by pid ${pidsText}; recorded: ${recorded}${stale}` }
}

async function generations(dataDir: string): Promise<DoctorCheck> {
  const name = 'generations'
  const storeFile = join(dataDir, STORE_FILE)
  if (!existsSync(storeFile) || !existsSync(join(dataDir, RUNTIME_FILE)))
    return { name, status: 'ok', message: 'no processes recorded yet' }
  let current: number | null
  let live: Awaited<ReturnType<typeof listProcesses>>
  try {
    const store = openDatabase(storeFile, { readonly: true })
    try {
      current = await createStoreReader(store).currentGenerationId()
    } finally {
      store.close()
    }
    const runtime = openDatabase(join(dataDir, RUNTIME_FILE), { readonly: true })
    try {
      live = (await listProcesses(runtime)).filter((p) => p.live)
    } finally {
      runtime.close()
    }
  } catch (error) {
    return {
      name,
      status: 'fail',
      message: `cannot read the process registry: ${(error as Error).message}`,
      fix: 'See the database checks above.',
    }
  }
  const old = live.filter((p) => p.generation !== null && current !== null && p.generation < current)
  if (!old.length)
    return { name, status: 'ok', message: `${live.length} live process(es), none on an older generation than ${current ?? 'none'}` }
  const list = old.map((p) => `${p.role} pid ${p.pid} on ${p.host} (generation ${p.generation})`).join(', ')
  const roles = [...new Set(old.map((p) => p.role))].map((r) => `app@${r}`).join(' ')
  return {
    name,
    status: 'warn',
    message: `${old.length} process(es) run plugins of an older generation than ${current}: ${list}. Plugins load on start only.`,
    fix: `Restart them to load generation ${current}: systemctl restart ${roles} (or restart the containers).`,
  }
}

export function directory(name: string, dir: string, opts: { why: string; noexec: { status: 'warn' | 'fail'; fix: string } }): DoctorCheck {
  const why = opts.why
  const existing = realExisting(dir)
  try {
    accessSync(existing, constants.W_OK | constants.X_OK)
  } catch {
    return {
      name,
      status: 'fail',
      message: `${dir} is not writable by this user (checked ${existing}); ${why}.`,
      fix: `Give the service user write access to ${existing} (chown), or run doctor as that user (sudo -u app app doctor).`,
    }
  }
  const mount = mountFor(existing)
  if (mount?.options.includes('ro'))
    return {
      name,
      status: 'fail',
      message: `${dir} is on a read-only mount (${mount.mountPoint}); ${why}.`,
      fix: 'Mount it read-write (in systemd units, list it in ReadWritePaths= or StateDirectory=).',
    }
  if (isNoexec(existing))
    return {
      name,
      status: opts.noexec.status,
      message: `${dir} is on a filesystem mounted noexec (${mount?.mountPoint}); ${why}.`,
      fix: opts.noexec.fix,
    }
  return { name, status: 'ok', message: `${dir} is writable and executable${existsSync(dir) ? '' : ' (created on first use)'}` }
}
