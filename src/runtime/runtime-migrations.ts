/**
 * Embedded, numbered migrations for runtime.db (processes, load reports, jobs,
 * bots, resources). Append only. Every role may run them: the first to open
 * the file migrates it inside BEGIN IMMEDIATE, the others see it done.
 */
export const runtimeMigrations: string[] = [
  /* 1: process registry and per-process load reports */ `
  CREATE TABLE processes (
    id TEXT PRIMARY KEY,               -- host:pid:started
    role TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, version TEXT NOT NULL,
    started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, stopped_at TEXT,
    generation INTEGER                 -- plugin store generation this process loaded
  ) WITHOUT ROWID;
  CREATE TABLE load_reports (
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    plugin TEXT NOT NULL, version TEXT, status TEXT NOT NULL, duration_ms REAL,
    warnings TEXT NOT NULL DEFAULT '[]',  -- JSON [{code, severity, message, detail, firstSeen, lastSeen, count}]
    updated_at TEXT NOT NULL,
    PRIMARY KEY (process_id, plugin)
  ) WITHOUT ROWID;
  `,
  /* 2: job queue (event occurrences and bot runs), recurring schedules, bots, resources. Times are ms since the epoch. */ `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,          -- a plugin's event type, or 'app.bot_run'
    description TEXT, bot TEXT, resource TEXT,
    payload TEXT,                      -- JSON or NULL
    run_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled', 'orphaned')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT, claim_token TEXT, lease_expires_at INTEGER,
    last_error TEXT,
    idempotency_key TEXT UNIQUE,
    schedule_id INTEGER,               -- the recurring schedule that fired it
    owner TEXT,                        -- plugin that scheduled it, or 'cli' / 'scheduler'
    created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER
  );
  CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('pending', 'orphaned');
  CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status = 'running';
  CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed', 'cancelled');
  CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- 'bot:<name>' or 'event:<bot>|<resource>|<type>|<schedule>'
    event_type TEXT NOT NULL, bot TEXT, resource TEXT, description TEXT, payload TEXT,
    schedule TEXT NOT NULL,            -- ScheduleData JSON: interval or cron
    next_run_at INTEGER NOT NULL, last_run_at INTEGER,
    owner TEXT, created_at INTEGER NOT NULL
  );
  CREATE INDEX schedules_due ON schedules (next_run_at);
  CREATE TABLE resources (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, cloud TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,
    name TEXT NOT NULL, state TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}', properties TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX resources_type ON resources (type, state);
  CREATE TABLE bots (
    name TEXT PRIMARY KEY, enabled INTEGER NOT NULL,
    resource_types TEXT NOT NULL, filters TEXT NOT NULL, action TEXT NOT NULL, schedule TEXT,  -- JSON
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
]

/** 'APR1': marks runtime.db as ours. */
export const RUNTIME_APPLICATION_ID = 0x41505231
