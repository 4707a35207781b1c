import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { redactUrl } from '../config/redact-url.ts'
import { lockHolder } from '../lock/postgres-writer-lock.ts'
import { checkPostgresSchema } from '../postgres/migrate-postgres.ts'
import { openPostgres, type PgPool } from '../postgres/open-postgres.ts'
import { postgresMigrations } from '../postgres/postgres-schema.ts'
import { cacheCheck } from './cache-check.ts'
import type { DoctorCheck } from './doctor-check.ts'
import { DISK_WARN_BYTES, directory, disk, filesystem } from './run-doctor.ts'

/**
 * `app doctor` with database.url set: the server, the schema version, what this role's database user may
 * write (the server enforces the single writer only when worker and web use their own users), the writer
 * lock, the live processes; then the local data directory, which holds only caches here.
 */
export async function runPostgresDoctor(url: string, dataDir: string): Promise<DoctorCheck[]> {
  let pool: PgPool
  try {
    pool = await openPostgres(url, { applicationName: 'app doctor', max: 1 })
  } catch (error) {
    return [
      {
        name: 'database',
        status: 'fail',
        message: (error as Error).message,
        fix: 'Fix database.url (APP_DATABASE_URL) or start the server.',
      },
    ]
  }
  const checks: DoctorCheck[] = []
  try {
    const { rows } = await pool.query<{ version: string; db: string; who: string }>(
      'SELECT current_setting($1) AS version, current_database() AS db, current_user AS who',
      ['server_version'],
    )
    const info = rows[0]!
    checks.push({
      name: 'database',
      status: 'ok',
      message: `PostgreSQL ${info.version}, database ${info.db} at ${redactUrl(url)}, as ${info.who}`,
    })
    const schemaCheck = await schema(pool)
    checks.push(schemaCheck)
    // Without this build's tables there is no access to judge and no registry to read.
    if (schemaCheck.status === 'ok') checks.push(await writeAccess(pool, info.who))
    checks.push(await writerLock(pool))
    if (schemaCheck.status === 'ok') checks.push(await processes(pool))
  } finally {
    await pool.end()
  }
  if (existsSync(dataDir)) {
    checks.push(filesystem(dataDir), disk(dataDir), cacheCheck(dataDir, DISK_WARN_BYTES))
    checks.push(
      directory('cache dir', join(dataDir, 'cache'), {
        why: 'plugin bundles fetched from PostgreSQL are kept and imported there',
        noexec: { status: 'warn', fix: 'Remount without noexec if plugins ship native addons; JavaScript plugins are not affected.' },
      }),
    )
  }
  return checks
}

async function schema(pool: PgPool): Promise<DoctorCheck> {
  try {
    await checkPostgresSchema(pool)
    return { name: 'schema', status: 'ok', message: `schemas plugins and runtime at version ${postgresMigrations.length}` }
  } catch (error) {
    return {
      name: 'schema',
      status: 'fail',
      message: (error as Error).message,
      fix: 'Run `app db init --admin-url <url>`, then start the scheduler.',
    }
  }
}

async function writeAccess(pool: PgPool, who: string): Promise<DoctorCheck> {
  const { rows } = await pool.query<{ owner: boolean; writes: boolean }>(
    `SELECT pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'plugins'), 'USAGE') AS owner,
       has_table_privilege('plugins.generations', 'INSERT') AS writes`,
  )
  const r = rows[0]
  if (!r) return { name: 'plugin store access', status: 'fail', message: 'schema plugins is missing', fix: 'Run `app db init`.' }
  if (r.owner) return { name: 'plugin store access', status: 'ok', message: `${who} owns the plugin store: the scheduler's user` }
  if (r.writes)
    return {
      name: 'plugin store access',
      status: 'warn',
      message: `${who} may write the plugin store without owning it: the server does not keep worker and web read-only.`,
      fix: 'Give workers and web servers the worker and web URLs `app db init` printed.',
    }
  return { name: 'plugin store access', status: 'ok', message: `${who} may only read the plugin store (a worker's or web server's user)` }
}

async function writerLock(pool: PgPool): Promise<DoctorCheck> {
  const holder = await lockHolder(pool)
  if (holder) return { name: 'writer lock', status: 'ok', message: `held by ${holder.description}` }
  return {
    name: 'writer lock',
    status: 'warn',
    message: 'no scheduler holds the writer lock: plugin changes are not published and schedules do not fire.',
    fix: 'Start the scheduler with the scheduler URL: APP_DATABASE_URL=<url> app --role=scheduler.',
  }
}

async function processes(pool: PgPool): Promise<DoctorCheck> {
  const { rows } = await pool.query<{ role: string; n: number; old: number; current: number | null }>(
    `WITH g AS (SELECT max(id) AS id FROM plugins.generations)
     SELECT p.role, count(*)::int AS n, count(*) FILTER (WHERE p.generation < g.id)::int AS old, max(g.id) AS current
       FROM runtime.processes p, g
      WHERE p.stopped_at IS NULL AND p.heartbeat_at > to_char(now() AT TIME ZONE 'UTC' - interval '15 seconds', 'YYYY-MM-DD"T"HH24:MI:SS')
      GROUP BY p.role ORDER BY p.role`,
  )
  const text = rows.map((r) => `${r.n} ${r.role}`).join(', ') || 'none'
  const old = rows.filter((r) => r.old > 0)
  if (!old.length) return { name: 'processes', status: 'ok', message: `live: ${text}` }
  return {
    name: 'processes',
    status: 'warn',
    message: `live: ${text}; ${old.map((r) => `${r.old} ${r.role}`).join(', ')} run an older generation than ${old[0]!.current}. Plugins load on start only.`,
    fix: 'Restart them (systemctl restart app@worker app@web).',
  }
}
