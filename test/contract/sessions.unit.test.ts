// The WebSessions port on both backends: signing in to the admin pages, staying signed in while active, and
// being signed out by idleness, by the absolute limit, by sign-out on any web process or by a new admin token.
// PostgreSQL runs as the web role, which does this in production.
import { createHmac, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, test } from 'vitest'
import { createPostgresSessions } from '../../src/sessions/postgres-session-store.ts'
import type { WebSessions } from '../../src/sessions/session-port.ts'
import type { SessionLimits } from '../../src/sessions/session-store.ts'
import { createSqliteSessions } from '../../src/sessions/sqlite-session-store.ts'
import type { tempDir } from '../helpers/cli.ts'
import { BACKENDS, type RuntimeBackend, useRuntimeBackend } from './runtime-backends.ts'

type T = Parameters<typeof tempDir>[0]
type Row = { key: string; csrf: string; created_at: number; last_seen_at: number; expires_at: number; display_name: string | null }
interface Fixture {
  /** A web process (on SQLite its own connection, on PostgreSQL the web role's pool), the install's admin token unless given another. */
  web(limits?: SessionLimits, token?: string): Promise<WebSessions>
  /** The table as a backup of it would hold it. */
  rows(): Promise<Row[]>
}

const TOKEN = 'admin-token-0123456789abcdefghijklmnop'

function fixtureOf(b: RuntimeBackend): Fixture {
  if (b.kind === 'sqlite')
    return {
      web: async (limits, token = TOKEN) => createSqliteSessions(b.open(), token, limits),
      rows: async () => b.db.prepare('SELECT * FROM web_sessions').all() as Row[],
    }
  return {
    web: async (limits, token = TOKEN) => createPostgresSessions(b.pools.web, token, limits),
    rows: async () => (await b.pools.web.query<Row>('SELECT * FROM runtime.web_sessions')).rows,
  }
}

const otherId = () => randomBytes(32).toString('base64url')

describe.each(BACKENDS)('sessions on %s', (kind) => {
  const open = useRuntimeBackend(kind)
  const setup = async (t: T) => fixtureOf(await open(t))

  test('a sign-in is found by its cookie value with its CSRF token and name; nothing else is', async (t) => {
    const f = await setup(t)
    const web = await f.web()
    const before = Date.now()
    const carol = await web.create('Carol')
    const anonymous = await web.create('')
    expect(carol.id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(carol.expiresAt).toBeGreaterThanOrEqual(before + 12 * 3600_000)
    expect(web.absoluteMs).toBe(12 * 3600_000)
    expect(await web.find(carol.id)).toEqual(carol)
    expect(await web.find(anonymous.id)).toEqual({ ...anonymous, displayName: null })
    expect(carol.csrf).not.toBe(anonymous.csrf)
    expect(await web.find(otherId())).toBeNull()
    expect(await web.find(`${carol.id}x`)).toBeNull()
    expect(await web.find("' OR 1=1 --")).toBeNull()
  })

  test('only the HMAC of the id is stored: a copy of the table opens nothing, and a new admin token ends every session', async (t) => {
    const f = await setup(t)
    const session = await (await f.web()).create('Carol')
    const [row] = await f.rows()
    expect(row!.key).toBe(createHmac('sha256', TOKEN).update(`session.${session.id}`).digest('base64url'))
    expect(JSON.stringify(await f.rows())).not.toContain(session.id)
    expect(await (await f.web({}, 'a-new-admin-token-after-rotation-000000')).find(session.id)).toBeNull()
    expect(await (await f.web()).find(session.id)).not.toBeNull()
  })

  test('sign-out on one web process ends the session on every other', async (t) => {
    const f = await setup(t)
    const [a, b] = [await f.web(), await f.web()]
    const session = await a.create('Carol')
    const other = await a.create('Dave')
    expect(await b.find(session.id)).toEqual(session)
    await b.revoke(session.id)
    await b.revoke('not-a-session-id')
    expect(await a.find(session.id)).toBeNull()
    expect(await a.find(other.id)).toEqual(other)
  })

  test('activity is written back at most once a minute, not on every page load', async (t) => {
    const f = await setup(t)
    const web = await f.web()
    const session = await web.create()
    const [created] = await f.rows()
    await sleep(300)
    for (let i = 0; i < 3; i++) expect(await web.find(session.id)).not.toBeNull()
    expect((await f.rows())[0]!.last_seen_at).toBe(created!.last_seen_at)
    // With a 1 s idle limit it is written every quarter of that, once.
    const short = await f.web({ idleMs: 1000 })
    await short.find(session.id)
    const touched = (await f.rows())[0]!.last_seen_at
    expect(touched).toBeGreaterThanOrEqual(created!.last_seen_at + 300)
    await short.find(session.id)
    expect((await f.rows())[0]!.last_seen_at).toBe(touched)
  })

  test('a session ends when idle too long; activity keeps it, up to its absolute limit', async (t) => {
    const f = await setup(t)
    const web = await f.web({ idleMs: 1000, absoluteMs: 2000 })
    expect(web.absoluteMs).toBe(2000)
    const active = await web.create('Carol')
    const idle = await web.create('Dave')
    await sleep(600)
    expect(await web.find(active.id)).not.toBeNull()
    await sleep(600) // 1.2 s after sign-in, 0.6 s after its last use
    expect(await web.find(active.id)).not.toBeNull()
    expect(await web.find(idle.id), 'unused for more than the idle limit').toBeNull()
    await sleep(300)
    expect(await web.find(active.id)).not.toBeNull()
    await sleep(500) // 2 s after sign-in, 0.5 s after its last use
    expect(await web.find(active.id), 'past the absolute limit, however active').toBeNull()
    // The next sign-in sweeps the table of sessions that can no longer open.
    await web.create('Erin')
    expect((await f.rows()).map((r) => r.display_name)).toEqual(['Erin'])
  })
})
