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
]

/** 'APR1': marks runtime.db as ours. */
export const RUNTIME_APPLICATION_ID = 0x41505231
