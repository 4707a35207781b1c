/**
 * Embedded, numbered schema migrations for plugins.db. Append only: a shipped
 * migration never changes, so every store can be brought forward step by step.
 * Embedding them as strings keeps the single executable free of side files.
 */
export const storeMigrations: string[] = [
  /* 1 */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  -- rowid tables for large rows: WITHOUT ROWID suits rows far smaller than a page
  CREATE TABLE blobs (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, data BLOB NOT NULL);
  -- files: JSON [[path, mode, blobSha256, size], ...] sorted by path; sha256 = sha256 of that JSON
  CREATE TABLE bundles (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, files TEXT NOT NULL, size INTEGER NOT NULL, file_count INTEGER NOT NULL);
  CREATE TABLE plugin_versions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL REFERENCES bundles(sha256),
    manifest TEXT NOT NULL,          -- the parsed plugin.json, or {} when unreadable
    source TEXT NOT NULL,            -- 'directory', 'http', 's3'
    origin TEXT NOT NULL,            -- path or URL it came from
    signature TEXT,                  -- JSON {state, keyId} or NULL
    status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'error')),
    registered TEXT,                 -- JSON of what the dry run saw it register
    published_at TEXT NOT NULL,
    UNIQUE (name, bundle_sha256, source, origin)
  );
  CREATE TABLE generations (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, reason TEXT NOT NULL);
  CREATE TABLE generation_plugins (
    generation_id INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    plugin_version INTEGER NOT NULL REFERENCES plugin_versions(id),
    rejected_version INTEGER REFERENCES plugin_versions(id),  -- a failed update kept out of this generation
    PRIMARY KEY (generation_id, name)
  ) WITHOUT ROWID;
  -- warnings found at publish time, tied to the version whose content caused them
  CREATE TABLE ingest_warnings (
    id INTEGER PRIMARY KEY,
    plugin_version INTEGER NOT NULL REFERENCES plugin_versions(id) ON DELETE CASCADE,
    code TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, detail TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX ingest_warnings_version ON ingest_warnings (plugin_version);
  -- warnings about the scan rather than one version (NOT_A_PLUGIN, NAME_CONFLICT, SOURCE_UNREACHABLE)
  CREATE TABLE notices (
    key TEXT PRIMARY KEY,
    code TEXT NOT NULL, severity TEXT NOT NULL, plugin TEXT, version TEXT,
    message TEXT NOT NULL, detail TEXT,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1
  ) WITHOUT ROWID;
  -- per remote source: last success, for SOURCE_UNREACHABLE and ETag reuse
  CREATE TABLE source_state (source_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
  `,
  /* 2 */ `
  -- the hash of the tree the source offered; differs from bundle_sha256 when the scheduler added compiled
  -- TypeScript to the bundle, so an unchanged TypeScript plugin is recognised without compiling it again
  ALTER TABLE plugin_versions ADD COLUMN source_sha256 TEXT;
  CREATE INDEX plugin_versions_source ON plugin_versions (name, source_sha256);
  `,
]

/** 'APP1' as a big-endian int: marks a file as ours. */
export const STORE_APPLICATION_ID = 0x41505031
