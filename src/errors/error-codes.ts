// CLI and role error codes of the catalog (see codes.ts).
export interface ErrorInfo {
  exitCode: 1 | 2 | 3 | 4
  meaning: string
  fix: string
}

/** Errors the CLI and the roles report as a message and an exit code (DESIGN section 10), never a stack. */
export const errorCodes = {
  USAGE: {
    exitCode: 2,
    meaning: 'A command was called with a wrong argument or option.',
    fix: 'Read the message and `app <command> --help`.',
  },
  CONFIG_INVALID: {
    exitCode: 2,
    meaning: 'A configuration value (app.toml, APP_* environment or flag) is invalid.',
    fix: 'Correct the key the message names.',
  },
  CONFIG_UNREADABLE: {
    exitCode: 2,
    meaning: 'The config file cannot be read or is not valid TOML.',
    fix: 'Check the path and the line and column the message gives.',
  },
  FILE_UNREADABLE: { exitCode: 2, meaning: 'An input file (resources, bots) cannot be read.', fix: 'Check the path and permissions.' },
  FILE_INVALID: {
    exitCode: 2,
    meaning: 'An input file is not valid JSON or TOML, or its entries have the wrong shape.',
    fix: 'Correct the entries the message lists.',
  },
  ADMIN_TOKEN_WEAK: {
    exitCode: 2,
    meaning: 'The admin token is too short or too predictable.',
    fix: 'Use a random token, such as the output of `openssl rand -hex 32`.',
  },
  ADMIN_TOKEN_FILE_UNSAFE: {
    exitCode: 2,
    meaning: 'data/admin-token is a symbolic link, not a regular file, or loosely permitted and shared with another file or user.',
    fix: 'Replace it with a regular file of mode 0600 (or delete it to have one generated), or set APP_ADMIN_TOKEN.',
  },
  KEY_INVALID: { exitCode: 2, meaning: 'A signing key file is not an ed25519 key.', fix: 'Create one with `app plugins keygen`.' },
  KEY_EXISTS: {
    exitCode: 1,
    meaning: 'keygen would overwrite an existing key file.',
    fix: 'Choose another path or move the old key away.',
  },
  PACK_REFUSED: {
    exitCode: 1,
    meaning: 'The folder cannot be packed as a plugin (its manifest or files are invalid).',
    fix: 'Fix what the message lists, then pack again.',
  },
  WRITER_LOCKED: {
    exitCode: 3,
    meaning: 'Another scheduler (or `plugins sync`) holds the writer lock.',
    fix: 'Stop the holder the message names, or run this on that host.',
  },
  STORE_MISSING: {
    exitCode: 4,
    meaning: 'plugins.db does not exist yet, or is empty.',
    fix: 'Start the scheduler once (`app --role=scheduler` or `app plugins sync`).',
  },
  STORE_FOREIGN: {
    exitCode: 4,
    meaning: 'plugins.db is not an app plugin store.',
    fix: 'Point --data-dir at the right directory; the file was left untouched.',
  },
  DATABASE_UNREACHABLE: {
    exitCode: 1,
    meaning: 'PostgreSQL at database.url (APP_DATABASE_URL) refused or did not answer the connection.',
    fix: 'Check the URL, that the server runs and listens there, and the role name, password and pg_hba.conf entry.',
  },
  DATABASE_NOT_INITIALIZED: {
    exitCode: 4,
    meaning: 'The PostgreSQL database lacks the app schemas, or they are older than this build.',
    fix: 'Run `app db init --admin-url <url>` once, then start the scheduler before the workers and web servers.',
  },
  DATABASE_TOO_NEW: {
    exitCode: 4,
    meaning: 'The PostgreSQL schemas were written by a newer app.',
    fix: 'Run the newer app on every host.',
  },
  DATABASE_NOT_EMPTY: {
    exitCode: 4,
    meaning: '`app db migrate --from-sqlite` found app data already in the PostgreSQL database; it copies only into an empty one.',
    fix: 'Create a new database, run `app db init` on it, and point database.url at it.',
  },
  MIGRATION_MISMATCH: {
    exitCode: 1,
    meaning: 'A table read back from PostgreSQL after `app db migrate` differs from the SQLite original; nothing was committed.',
    fix: 'Report it with both files; the SQLite install is unchanged and keeps working.',
  },
  STORE_TOO_NEW: {
    exitCode: 4,
    meaning: 'plugins.db was written by a newer app.',
    fix: 'Run the newer app, or restore a backup made by this version.',
  },
  STORE_DAMAGED: {
    exitCode: 4,
    meaning: 'plugins.db fails its integrity check.',
    fix: 'Stop the roles and restore the latest `app backup` copy (packaging/README.md).',
  },
  RUNTIME_FOREIGN: {
    exitCode: 4,
    meaning: 'runtime.db is not an app runtime database.',
    fix: 'Point --data-dir at the right directory; the file was left untouched.',
  },
  RUNTIME_TOO_NEW: {
    exitCode: 4,
    meaning: 'runtime.db was written by a newer app.',
    fix: 'Run the newer app, or restore a backup made by this version.',
  },
  DISK_FULL: {
    exitCode: 1,
    meaning: 'The filesystem of the data directory is full.',
    fix: 'Free space: data/cache can always be deleted; keep fewer generations (store.keepGenerations).',
  },
  DATA_DIR_NOT_LOCAL: {
    exitCode: 2,
    meaning: 'The data directory is on a network or FUSE filesystem, where SQLite WAL is unsafe.',
    fix: 'Use a local disk for --data-dir.',
  },
  NATIVE_DIR_UNUSABLE: {
    exitCode: 1,
    meaning: 'The single executable cannot write or execute its SQLite addon in the native directory.',
    fix: 'Set APP_NATIVE_DIR to a writable directory on a filesystem mounted without noexec.',
  },
  NATIVE_ADDON_MISSING: { exitCode: 1, meaning: 'The SQLite addon is not embedded in this build.', fix: 'Rebuild with `npm run build`.' },
  WEB_LISTEN_FAILED: {
    exitCode: 1,
    meaning: 'The web role cannot listen on its host and port.',
    fix: 'Pick another --port (0 for any free one) or --host.',
  },
  PLUGIN_NOT_FOUND: {
    exitCode: 1,
    meaning: 'No plugin of that name is in the current generation.',
    fix: '`app plugins list` shows the names.',
  },
  GENERATION_NOT_FOUND: { exitCode: 1, meaning: 'No kept generation has that id.', fix: '`app plugins generations` lists the kept ones.' },
  SETTINGS_REJECTED: {
    exitCode: 2,
    meaning:
      '`app plugins settings <name> set` was given a key the plugin does not declare, a value of the wrong type or outside its choices, or a secret that is not a reference; nothing was changed.',
    fix: 'Give each key=value as the message says (a secret as env:NAME or file:/path); `app plugins settings <name>` lists the declared settings.',
  },
  BOTS_INVALID: {
    exitCode: 2,
    meaning:
      "`app bots apply`: a bot's filter or action settings do not fit the settingsConfig they registered (unknown key, missing required one, wrong type, value outside its choices), or a filter does not support one of its resourceTypes; no bot was applied.",
    fix: 'Fix every bot the message lists (each line names the bot, filter or action, key, expected and found), then apply again; `app plugins show <plugin> --json` lists each registered settingsConfig.',
  },
  BOT_NOT_FOUND: {
    exitCode: 1,
    meaning: 'No bot of that name was applied.',
    fix: '`app bots apply <file>` first; the message lists the bots.',
  },
  EVENT_NOT_FOUND: { exitCode: 1, meaning: 'No event has that id.', fix: '`app events list` shows the ids.' },
  EVENT_NOT_RETRYABLE: {
    exitCode: 1,
    meaning: 'Only failed, cancelled or orphaned events can be retried.',
    fix: 'Wait for the event to finish, or cancel it first.',
  },
  EVENT_NOT_CANCELLABLE: {
    exitCode: 1,
    meaning: 'A running or finished event cannot be cancelled.',
    fix: 'Nothing to do: it is already past cancelling.',
  },
  EVENT_NOT_SCHEDULED: { exitCode: 1, meaning: 'The event could not be scheduled.', fix: 'Read the message; it names what is missing.' },
  PLUGIN_REQUEST_FAILED: {
    exitCode: 1,
    meaning:
      '`app plugins disable|enable` was applied by the scheduler and failed (no such plugin, or no source offers it any more); nothing changed.',
    fix: 'Read the message; `app plugins list` shows the plugins and GET /api/v1/audit every request with its outcome.',
  },
  INIT_DIR_NOT_EMPTY: {
    exitCode: 2,
    meaning: '`app plugin init` was pointed at a folder that already holds files.',
    fix: 'Name a new or empty folder.',
  },
  PLUGIN_DIR_INVALID: {
    exitCode: 2,
    meaning: '`app plugin test` or `app plugin dev` was given a path that does not exist or is not a folder.',
    fix: 'Give the plugin folder (the one holding plugin.json); `app plugin init <dir>` writes a new one.',
  },
  NO_PLUGIN_TESTS: {
    exitCode: 1,
    meaning: '`app plugin test` found no *.test.{js,mjs,cjs,ts,mts} file in the plugin folder (outside node_modules).',
    fix: 'Add a test file; `app plugin init` writes a first one using createTestHost.',
  },
  PLUGIN_TESTS_FAILED: {
    exitCode: 1,
    meaning: '`app plugin test`: a test of the plugin failed, or its TypeScript does not compile as the scheduler would compile it.',
    fix: 'Read the failing tests (named in the message, with their errors above it) or the compile errors, fix them and run again.',
  },
  BACKUP_DIR_NOT_EMPTY: { exitCode: 2, meaning: 'The backup target directory already holds files.', fix: 'Name a new or empty directory.' },
  BACKUP_FAILED: {
    exitCode: 1,
    meaning: 'A backup copy could not be written or did not verify.',
    fix: 'Check free space and the message; the source databases are untouched.',
  },
} as const satisfies Record<string, ErrorInfo>
