import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'

/**
 * The plugin store as the web app reads it: a SQLite store's connection (`sqlite`) tells of commits by a pread,
 * a PostgreSQL one answers changeToken(); with neither, every request reads afresh.
 */
export type WebStore = StoreReader & { sqlite?: Db; changeToken?: () => Promise<string> }
