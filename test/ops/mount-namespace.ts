// Runs a command in a private mount namespace (unshare --mount --map-root-user) with a real mount at `dir`
// that exists only for that command: a tmpfs with given options (noexec, a small size), or a FUSE filesystem.
import { join } from 'node:path'
import { ROOT } from '../helpers/cli.ts'
import { run, type Result } from '../build/run-command.ts'

const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

export interface MountedRun {
  dir: string
  command: string
  args: string[]
  env?: Record<string, string>
}

/** `command` with a tmpfs mounted at `dir` (options such as "noexec" or "size=64m"). */
export function inTmpfs(options: string, { dir, command, args, env = {} }: MountedRun): Promise<Result> {
  return run(
    'unshare',
    ['--mount', '--map-root-user', 'sh', '-c', 'mount -t tmpfs -o "$OPTS" tmpfs "$MNT" && exec "$@"', 'sh', command, ...args],
    {
      env: { PATH: SYSTEM_PATH, ...env, OPTS: options, MNT: dir },
    },
  )
}

/** `command` with a FUSE filesystem (an empty directory) mounted at `dir`, served by test/ops/fuse-mount.ts. */
export function inFuseMount({ dir, command, args, env = {} }: MountedRun): Promise<Result> {
  return run(
    'unshare',
    ['--mount', '--map-root-user', process.execPath, join(ROOT, 'test/ops/fuse-mount.ts'), dir, '--', command, ...args],
    {
      env: { PATH: SYSTEM_PATH, ...env },
    },
  )
}

/** `inTmpfs` for a shell script (several commands in the same mount); $MNT is the mount point. */
export function shellInTmpfs(options: string, dir: string, script: string, env: Record<string, string> = {}): Promise<Result> {
  return inTmpfs(options, { dir, command: 'sh', args: ['-c', script], env })
}
