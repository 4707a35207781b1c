// Test helper: `unshare --mount --map-root-user node fuse-mount.ts <dir> -- <command...>` mounts a minimal
// FUSE filesystem (an empty directory) at <dir>, runs the command inside that mount namespace, and exits
// with its exit code. A real kernel FUSE mount: statfs reports FUSE_SUPER_MAGIC, as sshfs or s3fs would.
import { spawn, spawnSync } from 'node:child_process'
import { openSync, read, writeSync } from 'node:fs'

const [mountPoint, sep, command, ...args] = process.argv.slice(2)
if (!mountPoint || sep !== '--' || !command) throw new Error('usage: fuse-mount.ts <dir> -- <command...>')

const ENOENT = 2
const ENOSYS = 38
const op = { LOOKUP: 1, FORGET: 2, GETATTR: 3, STATFS: 17, INIT: 26, INTERRUPT: 36, BATCH_FORGET: 42 }
const uid = process.getuid!()
const gid = process.getgid!()

const fd = openSync('/dev/fuse', 'r+')
const mounted = spawnSync('mount', ['-t', 'fuse', '-o', `fd=3,rootmode=40000,user_id=${uid},group_id=${gid}`, 'apptest', mountPoint], {
  stdio: ['ignore', 'inherit', 'inherit', fd],
})
if (mounted.status !== 0) throw new Error(`mount -t fuse failed (${mounted.status})`)

function reply(unique: bigint, error: number, body: Buffer<ArrayBufferLike> = Buffer.alloc(0)): void {
  const header = Buffer.alloc(16)
  header.writeUInt32LE(16 + body.length, 0)
  header.writeInt32LE(-error, 4)
  header.writeBigUInt64LE(unique, 8)
  try {
    writeSync(fd, Buffer.concat([header, body]))
  } catch {
    /* the request was interrupted */
  }
}

function rootAttr(): Buffer {
  const out = Buffer.alloc(16 + 88) // fuse_attr_out: valid, valid_nsec, dummy, fuse_attr
  out.writeBigUInt64LE(1n, 0)
  const a = 16
  out.writeBigUInt64LE(1n, a) // ino
  out.writeUInt32LE(0o40755, a + 60) // mode
  out.writeUInt32LE(2, a + 64) // nlink
  out.writeUInt32LE(uid, a + 68)
  out.writeUInt32LE(gid, a + 72)
  out.writeUInt32LE(4096, a + 80) // blksize
  return out
}

function handle(b: Buffer<ArrayBufferLike>): void {
  const opcode = b.readUInt32LE(4)
  const unique = b.readBigUInt64LE(8)
  const nodeid = b.readBigUInt64LE(16)
  switch (opcode) {
    case op.INIT: {
      const out = Buffer.alloc(64) // fuse_init_out
      out.writeUInt32LE(7, 0)
      out.writeUInt32LE(Math.min(b.readUInt32LE(44), 31), 4)
      out.writeUInt32LE(b.readUInt32LE(48), 8) // max_readahead as offered
      out.writeUInt16LE(16, 16) // max_background
      out.writeUInt16LE(12, 18) // congestion_threshold
      out.writeUInt32LE(131072, 20) // max_write
      out.writeUInt32LE(1, 24) // time_gran
      return reply(unique, 0, out)
    }
    case op.GETATTR:
      return nodeid === 1n ? reply(unique, 0, rootAttr()) : reply(unique, ENOENT)
    case op.LOOKUP:
      return reply(unique, ENOENT)
    case op.STATFS: {
      const out = Buffer.alloc(80) // fuse_kstatfs
      out.writeBigUInt64LE(1n << 20n, 0) // blocks
      out.writeBigUInt64LE(1n << 19n, 8) // bfree
      out.writeBigUInt64LE(1n << 19n, 16) // bavail
      out.writeBigUInt64LE(1000n, 24) // files
      out.writeBigUInt64LE(1000n, 32) // ffree
      out.writeUInt32LE(4096, 40) // bsize
      out.writeUInt32LE(255, 44) // namelen
      out.writeUInt32LE(4096, 48) // frsize
      return reply(unique, 0, out)
    }
    case op.FORGET:
    case op.BATCH_FORGET:
    case op.INTERRUPT:
      return
    default:
      return reply(unique, ENOSYS)
  }
}

const buf = Buffer.alloc(1 << 18)
const serve = () =>
  read(fd, buf, 0, buf.length, null, (error, n) => {
    if (error) return // ENODEV: unmounted
    handle(buf.subarray(0, n))
    serve()
  })
serve()

const child = spawn(command, args, { stdio: 'inherit' })
child.on('exit', (code, signal) => {
  // Unmounting ends the pending read of /dev/fuse; Node's exit waits for it.
  spawnSync('umount', ['-l', mountPoint], { stdio: 'inherit' })
  process.exit(code ?? (signal ? 128 : 1))
})
