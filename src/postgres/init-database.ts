import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { AppError } from '../errors/app-error.ts'
import { migratePostgres } from './migrate-postgres.ts'
import { openPostgres, type PgPool, withTransaction } from './open-postgres.ts'

export type DbRoleName = 'scheduler' | 'worker' | 'web'
const ROLES: DbRoleName[] = ['scheduler', 'worker', 'web']

export interface InitResult {
  /** A connection URL per app role; without a password when the database role existed before (its password was kept). */
  urls: Record<DbRoleName, string>
  created: DbRoleName[]
  schemaVersion: number
}

/**
 * `app db init`: the schemas `plugins` and `runtime`, one database role per app role, and the grants that make
 * the server enforce the single writer: the scheduler's role owns both schemas (and so every table in them);
 * the worker and web roles may only SELECT in `plugins` and read and write rows in `runtime`. Re-running it is
 * safe: existing roles keep their passwords, the schema is brought forward, the grants are set again.
 */
export async function initDatabase(adminUrl: string, options: { rolePrefix?: string } = {}): Promise<InitResult> {
  const prefix = options.rolePrefix ?? 'app'
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix))
    throw new AppError('USAGE', `--role-prefix must be a lowercase SQL name (letters, digits, _), found "${prefix}"`)
  const name = (r: DbRoleName) => `${prefix}_${r}`
  const admin = await openPostgres(adminUrl, { applicationName: 'app db init', max: 1 })
  try {
    const passwords = await createRoles(admin, ROLES.map(name))
    await withTransaction(admin, async (c) => {
      const [scheduler, worker, web] = ROLES.map(name)
      // The admin acts as the scheduler's role below, so everything it creates is owned by that role.
      await c.query(`GRANT ${scheduler} TO CURRENT_USER`)
      for (const schema of ['plugins', 'runtime']) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${scheduler}`)
        await c.query(`ALTER SCHEMA ${schema} OWNER TO ${scheduler}`)
        await c.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`)
        await c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${worker}, ${web}`)
      }
    })
    const { to } = await migrateAs(admin, name('scheduler'))
    await grant(admin, name)
    const urls = Object.fromEntries(ROLES.map((r) => [r, withUser(adminUrl, name(r), passwords.get(name(r)))])) as Record<
      DbRoleName,
      string
    >
    return { urls, created: ROLES.filter((r) => passwords.has(name(r))), schemaVersion: to }
  } finally {
    await admin.end()
  }
}

async function createRoles(admin: PgPool, names: string[]): Promise<Map<string, string>> {
  const created = new Map<string, string>()
  for (const role of names) {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])
    if (rowCount) continue
    const password = randomBytes(24).toString('base64url')
    // CREATE ROLE takes no parameters: the password is a literal, quoted by the driver's own escaping.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(password)}`)
    created.set(role, password)
  }
  return created
}

async function migrateAs(admin: PgPool, role: string) {
  const client = await admin.connect()
  try {
    await client.query(`SET ROLE ${role}`)
    return await migratePostgres(client)
  } finally {
    await client.query('RESET ROLE').catch(() => {})
    client.release()
  }
}

async function grant(admin: PgPool, name: (r: DbRoleName) => string): Promise<void> {
  const [scheduler, worker, web] = ROLES.map(name)
  const readers = `${worker}, ${web}`
  await withTransaction(admin, async (c) => {
    await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA plugins TO ${readers}`)
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA runtime TO ${readers}`)
    await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA runtime TO ${readers}`)
    // Tables a later migration adds (the scheduler runs those) get the same grants.
    await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${scheduler} IN SCHEMA plugins GRANT SELECT ON TABLES TO ${readers}`)
    await c.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${scheduler} IN SCHEMA runtime GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${readers}`,
    )
    await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${scheduler} IN SCHEMA runtime GRANT USAGE, SELECT ON SEQUENCES TO ${readers}`)
  })
}

function withUser(url: string, user: string, password: string | undefined): string {
  const u = new URL(url)
  u.username = user
  u.password = password ?? ''
  return u.toString()
}
