import { z } from 'zod'

const MiB = 1024 * 1024

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration like "30s", "5m" or "1h"')
/** Header name -> environment variable or file holding the value, so secrets stay out of app.toml. */
const secretRefs = z.record(z.string(), z.string().min(1)).optional()

const httpSource = z.strictObject({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits')
    .optional(),
  interval: duration.default('5m'),
  headers: z.record(z.string(), z.string()).optional(),
  headersEnv: secretRefs,
  headersFile: secretRefs,
  username: z.string().optional(),
  password: z.string().optional(),
  passwordEnv: z.string().min(1).optional(),
  passwordFile: z.string().optional(),
  connectTimeoutMs: z.int().positive().default(10_000),
  timeoutMs: z.int().positive().default(30_000),
  maxBytes: z
    .int()
    .positive()
    .default(100 * MiB),
  /** Let this source replace a plugin with a lower version; otherwise that is refused with DOWNGRADE_REFUSED. */
  allowDowngrade: z.boolean().default(false),
})

const s3Source = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(1),
  prefix: z.string().default(''),
  region: z.string().default('us-east-1'),
  endpoint: z.url().optional(),
  forcePathStyle: z.boolean().default(false),
  interval: duration.default('5m'),
  connectTimeoutMs: z.int().positive().default(10_000),
  timeoutMs: z.int().positive().default(60_000),
  maxBytes: z
    .int()
    .positive()
    .default(100 * MiB),
  allowDowngrade: z.boolean().default(false),
})

export const sourceSchema = z.discriminatedUnion('type', [httpSource, s3Source])

/** Every setting, its default and its bounds. Keys are camelCase in app.toml too. */
export const configSchema = z.strictObject({
  role: z.enum(['scheduler', 'worker', 'web', 'all']).optional(),
  dataDir: z.string().min(1).default('data'),
  pluginsDir: z.string().min(1).default('plugins'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(8080),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  reload: z.boolean().default(false),
  concurrency: z.int().min(1).max(64).default(4),
  allowedHosts: z.array(z.string()).default([]),
  store: z
    .strictObject({
      /** How long worker and web wait for the scheduler to create plugins.db. */
      waitMs: z.int().min(0).default(60_000),
      keepGenerations: z.int().min(1).default(50),
      /** How often the scheduler removes plugin bundles no kept generation needs from data/cache (also after each publish). */
      cacheCollectMs: z
        .int()
        .min(100)
        .default(10 * 60_000),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxBytes: z
        .int()
        .positive()
        .default(50 * MiB),
      maxFiles: z.int().positive().default(10_000),
      maxDepth: z.int().positive().default(32),
      /** Whole archive (it may hold several plugins): unpacked bytes and entries. */
      archiveMaxBytes: z
        .int()
        .positive()
        .default(500 * MiB),
      archiveMaxFiles: z.int().positive().default(100_000),
      /** Unpacked/packed size above which an archive is a zip bomb (checked once it unpacks past 1 MiB). */
      maxCompressionRatio: z.number().positive().default(100),
      /** Bytes of keys + JSON values each plugin may keep in `storage` (runtime.db); past it storage.set throws. */
      storageBytes: z
        .int()
        .positive()
        .default(10 * MiB),
    })
    .prefault({}),
  loader: z
    .strictObject({
      loadTimeoutMs: z.int().positive().default(10_000),
    })
    .prefault({}),
  watch: z
    .strictObject({
      /** Quiet period after the last change before a rescan; files newer than this are not trusted yet. */
      settleMs: z.int().min(0).default(500),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      timeoutMs: z.int().positive().default(300_000),
      leaseMs: z.int().positive().default(30_000),
      maxAttempts: z.int().positive().default(5),
      retentionMs: z
        .int()
        .positive()
        .default(7 * 24 * 3600_000),
      /**
       * A worker beats (and renews its leases) every heartbeatTimeoutMs / 5, at most once a second; the scheduler
       * requeues the jobs of a worker silent for longer than this, and the worker stops starting and running
       * them at 0.6 of it. 4000: a killed worker's jobs run again elsewhere within about 4 s.
       */
      heartbeatTimeoutMs: z
        .int('expected a whole number of milliseconds')
        .min(1000, 'expected at least 1000 (ms): shorter, a worker merely slowed by a busy disk would lose its jobs; the default is 4000')
        .default(4000),
      /** Memory cap of each event handler thread (V8 heap, plus Buffers checked twice a second); a thread past it is replaced. */
      threadMemoryMb: z
        .int('expected a whole number of megabytes')
        .min(64, 'expected at least 64 (MB): a handler thread needs that much to load the plugins; the default is 256')
        .max(65_536, 'expected at most 65536 (MB)')
        .default(256),
    })
    .prefault({}),
  sources: z.array(sourceSchema).default([]),
  database: z
    .strictObject({
      /**
       * Unset: the embedded SQLite files in dataDir. Set: every role uses this PostgreSQL database (schemas
       * `plugins` and `runtime`, DESIGN section 12); each role connects as its own database role (`app db init`).
       */
      url: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a URL like postgres://user:password@host:5432/database' }).optional(),
    })
    .prefault({}),
  trust: z
    .strictObject({
      /** ed25519 public keys: base64 of the raw 32 bytes (as `app plugins keygen` prints) or SPKI PEM. */
      publicKeys: z.array(z.string()).default([]),
      requireSignature: z.boolean().default(false),
    })
    .prefault({}),
})

export type Config = z.infer<typeof configSchema>
export type SourceConfig = z.infer<typeof sourceSchema>
