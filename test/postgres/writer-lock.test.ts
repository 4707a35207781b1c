// One scheduler per PostgreSQL database: a session-level advisory lock. A second one is refused naming the
// holder; kill -9 of the holder frees the lock as soon as the server sees its connection drop.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { hostname } from 'node:os'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openPostgresWriterLock } from '../../src/lock/postgres-writer-lock.ts'
import { ROOT } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'
import { waitUntil } from '../helpers/wait-until.ts'

let db: Awaited<ReturnType<typeof createInitializedDatabase>>
beforeAll(async () => {
  db = await createInitializedDatabase()
})
afterAll(async () => db?.drop())

/** Another process holding the lock, as a scheduler on another host would. */
async function holderProcess(url: string) {
  const script = `import { openPostgresWriterLock } from ${JSON.stringify(`${ROOT}/src/lock/postgres-writer-lock.ts`)}
await openPostgresWriterLock(process.env.URL, 'app --role=scheduler', (e) => { console.error('lost', e.message); process.exit(1) })
console.log('held')
setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  expect(line.toString()).toContain('held')
  return child
}

const refusal = (url: string) =>
  openPostgresWriterLock(url, 'second', () => {}).then(
    async (lock) => {
      await lock.close()
      return null
    },
    (e: { code: string; exitCode: number; message: string }) => e,
  )

test('a second scheduler is refused with exit 3 naming the live holder; kill -9 of the holder frees the lock', async () => {
  const child = await holderProcess(db.urls.scheduler)
  try {
    const refused = await refusal(db.urls.scheduler)
    expect(refused?.code).toBe('WRITER_LOCKED')
    expect(refused?.exitCode).toBe(3)
    expect(refused?.message).toContain(`${hostname()}:${child.pid} app --role=scheduler`)
    expect(refused?.message).not.toContain(new URL(db.urls.scheduler).password)
    child.kill('SIGKILL')
    await once(child, 'exit')
    // The server notices the dropped connection at once on a local socket; a dead host takes TCP keepalive time.
    await waitUntil('the lock freed after kill -9', async () => (await refusal(db.urls.scheduler)) === null, 10_000)
  } finally {
    child.kill('SIGKILL')
  }
})

test('the lock is per database: another install on the same server has its own scheduler', async () => {
  const other = await createInitializedDatabase()
  try {
    const a = await openPostgresWriterLock(db.urls.scheduler, 'a', () => {})
    const b = await openPostgresWriterLock(other.urls.scheduler, 'b', () => {})
    await a.close()
    await b.close()
  } finally {
    await other.drop()
  }
})

test('losing the lock connection is reported, so the scheduler stops writing', async () => {
  let lost: Error | null = null
  const lock = await openPostgresWriterLock(db.urls.scheduler, 'scheduler', (e) => {
    lost = e
  })
  const admin = await import('pg').then((m) => new m.default.Client({ connectionString: db.adminUrl }))
  await admin.connect()
  try {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'app scheduler %' AND datname = $1`,
      [db.name],
    )
    await waitUntil('the lost-lock callback', () => lost !== null, 5000)
  } finally {
    await admin.end()
    await lock.close()
  }
})
