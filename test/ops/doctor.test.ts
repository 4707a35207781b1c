import assert from 'node:assert/strict'
import { closeSync, cpSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import Database from 'better-sqlite3'
import { APP_BIN, manifest, ROOT, runCli, startCli, tempDir, writePlugin } from '../helpers/cli.ts'
import { inFuseMount, inTmpfs } from './mount-namespace.ts'

interface Check {
  name: string
  status: 'ok' | 'warn' | 'fail'
  message: string
  fix?: string
}
interface Report {
  ok: boolean
  dataDir: string
  checks: Check[]
}

/** A data dir with the sample plugins published by `app plugins sync`. */
async function published(t: { onTestFinished(fn: () => unknown): void }) {
  const root = tempDir(t)
  cpSync(join(ROOT, 'plugins'), join(root, 'plugins'), { recursive: true })
  const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env: { APP_SETTLE_MS: '0' },
  })
  assert.equal(sync.code, 0, sync.stderr)
  return { root, data: join(root, 'data') }
}

async function doctor(data: string, cwd?: string) {
  const r = await runCli(['doctor', '--json', '--data-dir', data], { cwd })
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr }
}

const check = (report: Report, name: string) => {
  const c = report.checks.find((x) => x.name === name)
  assert.ok(c, `no "${name}" check in ${JSON.stringify(report.checks.map((x) => x.name))}`)
  return c
}

test('app doctor on a running install: databases, filesystem and cache dirs ok, the writer lock held by the scheduler, exit 0', async (t) => {
  const { root, data } = await published(t)
  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/scheduler started/)
  const { code, report } = await doctor(data)
  assert.equal(code, 0, JSON.stringify(report, null, 2))
  assert.equal(report.ok, true)
  for (const name of [
    'filesystem',
    'plugins.db identity',
    'plugins.db journal',
    'plugins.db integrity',
    'runtime.db identity',
    'runtime.db journal',
    'runtime.db integrity',
    'writer lock',
    'generations',
    'cache dir',
  ]) {
    assert.equal(check(report, name).status, 'ok', `${name}: ${check(report, name).message}`)
  }
  assert.match(check(report, 'writer lock').message, new RegExp(`held by pid ${scheduler.child.pid}\\b`))
  assert.match(check(report, 'plugins.db journal').message, /WAL/)
  assert.notEqual(check(report, 'free disk').status, 'fail')
  // Looking at the lock did not disturb the scheduler: it still holds it, and a second one is still refused.
  const second = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root })
  assert.equal(second.code, 3, second.stderr)

  const text = await runCli(['doctor', '--data-dir', data])
  assert.equal(text.code, 0)
  assert.match(text.stdout, /^ {2}ok {4}writer lock/m)
  assert.match(text.stdout, /all checks passed/)
})

test('app doctor without a running scheduler warns that no one holds the writer lock, with the fix', async (t) => {
  const { data } = await published(t)
  const { code, report } = await doctor(data)
  assert.equal(code, 0, 'a warning is not a failure')
  const lock = check(report, 'writer lock')
  assert.equal(lock.status, 'warn')
  assert.match(lock.message, /no scheduler holds the writer lock/)
  assert.match(lock.fix!, /app --role=scheduler/)
})

test('app doctor names the processes that run plugins of an older generation', async (t) => {
  const { root, data } = await published(t)
  const worker = startCli(['--role=worker', '--data-dir', 'data'], { cwd: root })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
  })
  await worker.waitFor(/worker started/)
  writePlugin(join(root, 'plugins'), 'late-arrival', manifest('late-arrival'), { 'index.js': 'export function load() {}' })
  const sync = await runCli(['plugins', 'sync', '--data-dir', 'data', '--plugins-dir', 'plugins'], {
    cwd: root,
    env: { APP_SETTLE_MS: '0' },
  })
  assert.equal(sync.code, 0, sync.stderr)
  const { code, report } = await doctor(data)
  assert.equal(code, 0)
  const generations = check(report, 'generations')
  assert.equal(generations.status, 'warn')
  assert.match(generations.message, new RegExp(`worker pid ${worker.child.pid} on \\S+ \\(generation 1\\)`))
  assert.match(generations.fix!, /restart app@worker/)
})

test('app doctor fails with a fix when the plugin store is damaged, foreign or missing (exit 1)', async (t) => {
  const { data } = await published(t)
  // Overwrite the middle of the store's pages, as a disk error would.
  const fd = openSync(join(data, 'plugins.db'), 'r+')
  writeSync(fd, Buffer.alloc(3 * 8192, 0x5a), 0, 3 * 8192, 2 * 8192)
  closeSync(fd)
  const damaged = await doctor(data)
  assert.equal(damaged.code, 1)
  assert.equal(damaged.report.ok, false)
  assert.equal(check(damaged.report, 'plugins.db identity').status, 'ok', 'the header is intact')
  const integrity = check(damaged.report, 'plugins.db integrity')
  assert.equal(integrity.status, 'fail')
  assert.match(integrity.message, /malformed|quick_check found/)
  assert.match(integrity.fix!, /restore the file from the last backup/)

  const foreignDir = tempDir(t)
  const foreign = new Database(join(foreignDir, 'plugins.db'))
  foreign.pragma('application_id = 1234')
  foreign.exec('CREATE TABLE t (x)')
  foreign.close()
  const other = await doctor(foreignDir)
  assert.equal(other.code, 1)
  assert.equal(check(other.report, 'plugins.db identity').status, 'fail')
  assert.match(check(other.report, 'plugins.db identity').message, /application_id 0x4d2, expected 0x41505031/)

  const missing = await runCli(['doctor', '--data-dir', join(foreignDir, 'nope')])
  assert.equal(missing.code, 1)
  assert.match(missing.stdout, /FAIL {2}data dir +data directory .*nope does not exist/)
  assert.match(missing.stdout, /fix: Start the scheduler once/)
})

test('app doctor fails on low free disk (a 64 MiB filesystem)', async (t) => {
  const root = tempDir(t)
  const mount = join(root, 'small')
  mkdirSync(mount)
  const r = await inTmpfs('size=64m', { dir: mount, command: process.execPath, args: [APP_BIN, 'doctor', '--json', '--data-dir', mount] })
  assert.equal(r.code, 1, r.stderr)
  const disk = check(JSON.parse(r.stdout) as Report, 'free disk')
  assert.equal(disk.status, 'fail')
  assert.match(disk.message, /64 MiB/)
})

test('a data dir on a FUSE filesystem: doctor fails the filesystem check and every role refuses to start (exit 2)', async (t) => {
  const root = tempDir(t)
  const mount = join(root, 'fuse')
  mkdirSync(mount)
  const r = await inFuseMount({ dir: mount, command: process.execPath, args: [APP_BIN, 'doctor', '--json', '--data-dir', mount] })
  assert.equal(r.code, 1, r.stderr)
  const fs = check(JSON.parse(r.stdout) as Report, 'filesystem')
  assert.equal(fs.status, 'fail')
  assert.match(fs.message, /on a FUSE filesystem/)
  assert.match(fs.fix!, /local disk/)
  for (const role of ['scheduler', 'worker', 'web', 'all']) {
    const started = await inFuseMount({
      dir: mount,
      command: process.execPath,
      args: [APP_BIN, `--role=${role}`, '--data-dir', mount, '--port', '0'],
    })
    assert.equal(started.code, 2, `${role}: ${started.stdout}${started.stderr}`)
    assert.match(started.stderr, new RegExp(`data directory ${mount} is on a FUSE filesystem.*WAL`))
  }
})
