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
  /* 3: failures of plugin code at run time (RUNTIME_ERROR and kin), one row per distinct failure, counted */ `
  CREATE TABLE runtime_errors (
    plugin TEXT NOT NULL,
    version TEXT NOT NULL,             -- '' when unknown
    code TEXT NOT NULL,                -- a warning code: 'RUNTIME_ERROR'
    message TEXT NOT NULL,             -- stable per failure: no job ids or times, so repeats count up one row
    count INTEGER NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    detail TEXT,                       -- the last stack (paths in the plugin's cache directory shown as plugin@version/)
    place TEXT NOT NULL,               -- where it was last seen: role@host:pid
    PRIMARY KEY (plugin, version, code, message)
  ) WITHOUT ROWID;
  CREATE INDEX runtime_errors_seen ON runtime_errors (last_seen);
  `,
  /* 4: admin sign-in sessions, shared by every web process of the install (sign-out on one is seen by all) */ `
  CREATE TABLE web_sessions (
    key TEXT PRIMARY KEY,              -- HMAC of the cookie's random id, keyed by the admin token: a copy of this file opens
                                       -- no session, and a new admin token voids every old one
    csrf TEXT NOT NULL,                -- the token this session's forms carry
    created_at INTEGER NOT NULL,       -- ms since the epoch
    last_seen_at INTEGER NOT NULL,     -- idle expiry counts from here (updated at most once a minute)
    expires_at INTEGER NOT NULL        -- absolute expiry, however busy the session
  ) WITHOUT ROWID;
  CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
  `,
  /* 5: plugin settings declared in manifests, set by operators (app plugins settings <name> set key=value) */ `
  CREATE TABLE plugin_settings (
    plugin TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,               -- JSON of the typed value; a secret's is its reference (env:NAME, file:/path), never the secret
    updated_at TEXT NOT NULL,
    PRIMARY KEY (plugin, key)
  ) WITHOUT ROWID;
  `,
  /* 6: the admin as an operator's console: who signed in, acknowledged warnings, plugin requests for the scheduler, the audit list */ `
  ALTER TABLE web_sessions ADD COLUMN display_name TEXT;  -- the optional "Your name" of the sign-in form
  CREATE TABLE warning_acks (
    warning_id TEXT PRIMARY KEY,       -- warningId(): hash of code, plugin, version and message
    plugin TEXT, code TEXT NOT NULL,
    note TEXT NOT NULL,
    acked_by TEXT NOT NULL,
    acked_at TEXT NOT NULL             -- ISO time; the warning is open again once its lastSeen is later
  ) WITHOUT ROWID;
  CREATE TABLE plugin_requests (       -- written by web and CLI, applied by the scheduler (the only writer of plugins.db)
    id INTEGER PRIMARY KEY,
    plugin TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('disable', 'enable', 'rollback')),
    version TEXT,                      -- rollback: the version to publish
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    message TEXT,                      -- what the scheduler did, or why it could not
    generation INTEGER,                -- the generation that applied it
    finished_at TEXT
  );
  CREATE INDEX plugin_requests_pending ON plugin_requests (id) WHERE status = 'pending';
  CREATE INDEX plugin_requests_plugin ON plugin_requests (plugin, id);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,              -- 'disable', 'enable', 'rollback', 'ack', 'settings', 'event.retry', 'event.cancel'
    plugin TEXT,
    detail TEXT,                       -- what exactly: the version, the note, the keys, the event id
    outcome TEXT NOT NULL,             -- 'pending', 'done', 'failed'
    message TEXT,
    request_id INTEGER                 -- the plugin request whose outcome this follows
  );
  CREATE INDEX audit_log_request ON audit_log (request_id) WHERE request_id IS NOT NULL;
  `,
  /* 7: plugin-owned work (DESIGN 5b): jobs.schedule rows, resource hook subscriptions, per-plugin storage */ `
  ALTER TABLE schedules ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;  -- 1: its plugin left the generation (kept, fires again when it returns)
  CREATE INDEX jobs_by_schedule ON jobs (schedule_id, status) WHERE schedule_id IS NOT NULL;  -- ctx.lastRunAt of a plugin job
  CREATE TABLE hook_subscriptions (    -- written by the scheduler when the generation changes, from what each plugin's dry run registered
    event TEXT NOT NULL,               -- 'resource.created', 'resource.modified', 'resource.deleted'
    plugin TEXT NOT NULL,
    PRIMARY KEY (event, plugin)
  ) WITHOUT ROWID;
  CREATE TABLE plugin_storage (
    plugin TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,               -- JSON
    size INTEGER NOT NULL,             -- bytes of key + value, what limits.storageBytes counts
    expires_at INTEGER,                -- ms since the epoch; NULL: kept until deleted
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (plugin, key)
  ) WITHOUT ROWID;
  CREATE INDEX plugin_storage_expiry ON plugin_storage (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE plugin_storage_usage (  -- kept by the triggers below: the quota check reads one row, not every key
    plugin TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    keys INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TRIGGER plugin_storage_inserted AFTER INSERT ON plugin_storage BEGIN
    INSERT INTO plugin_storage_usage (plugin, bytes, keys) VALUES (new.plugin, new.size, 1)
      ON CONFLICT (plugin) DO UPDATE SET bytes = bytes + excluded.bytes, keys = keys + 1;
  END;
  CREATE TRIGGER plugin_storage_updated AFTER UPDATE OF size ON plugin_storage BEGIN
    UPDATE plugin_storage_usage SET bytes = bytes - old.size + new.size WHERE plugin = new.plugin;
  END;
  CREATE TRIGGER plugin_storage_deleted AFTER DELETE ON plugin_storage BEGIN
    UPDATE plugin_storage_usage SET bytes = bytes - old.size, keys = keys - 1 WHERE plugin = old.plugin;
  END;
  `,
]

/** 'APR1': marks runtime.db as ours. */
export const RUNTIME_APPLICATION_ID = 0x41505231
