// The two backends the runtime-table contract suites (settings, storage, hooks, processes) run every case
// on: a real runtime.db in WAL mode in a temp dir per case, and a real PostgreSQL database per file (made by
// `app db init`'s code) with its runtime tables emptied before each case and one pool per app role.
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { DbRoleName } from '../../src/postgres/init-database.ts'
import { openPostgres, type PgPool } from '../../src/postgres/open-postgres.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import type { Db } from '../../src/store/open-database.ts'
import { tempDir } from '../helpers/cli.ts'
import { createInitializedDatabase } from '../helpers/postgres.ts'

export type BackendKind = 'sqlite' | 'postgres'
export const BACKENDS: BackendKind[] = ['sqlite', 'postgres']

type Context = { onTestFinished(fn: () => unknown): void }

export type RuntimeBackend =
  | { kind: 'sqlite'; db: Db /** another connection to the same runtime.db, closed with the case */; open(): Db }
  | { kind: 'postgres' /** a pool per app role, connected as its database role */; pools: Record<DbRoleName, PgPool>; admin: PgPool }

/** Call inside a describe: returns what opens the backend for one case. */
export function useRuntimeBackend(kind: BackendKind): (t: Context) => Promise<RuntimeBackend> {
  let pg: { pools: Record<DbRoleName, PgPool>; admin: PgPool; drop(): Promise<void> } | undefined
  if (kind === 'postgres') {
    beforeAll(async () => {
      const db = await createInitializedDatabase()
      const open = (url: string, name: string) => openPostgres(url, { applicationName: `contract test ${name}`, max: 4 })
      pg = {
        pools: {
          scheduler: await open(db.urls.scheduler, 'scheduler'),
          worker: await open(db.urls.worker, 'worker'),
          web: await open(db.urls.web, 'web'),
        },
        admin: await open(db.adminUrl, 'admin'),
        drop: db.drop,
      }
    })
    afterAll(async () => {
      if (!pg) return
      await Promise.all([...Object.values(pg.pools), pg.admin].map((p) => p.end()))
      await pg.drop()
    })
  }
  return async (t) => {
    if (kind === 'sqlite') {
      const dir = join(tempDir(t), 'data')
      const open = () => {
        const db = openRuntimeDb(dir)
        t.onTestFinished(() => {
          db.close()
        })
        return db
      }
      return { kind, db: open(), open }
    }
    if (!pg) throw new Error('the PostgreSQL test database was not created (see the beforeAll error)')
    const { rows } = await pg.admin.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'runtime'")
    await pg.admin.query(`TRUNCATE ${rows.map((r) => `runtime.${r.t}`).join(', ')} RESTART IDENTITY`)
    return { kind, pools: pg.pools, admin: pg.admin }
  }
}
