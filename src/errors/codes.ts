/**
 * Every stable code `app` gives out, in one place (as fastify's lib/errors.js): warning codes (DESIGN
 * section 6), CLI error codes with their exit code, and JSON API error codes with their HTTP status.
 * Messages may change; codes do not. `docs/errors.md` is generated from this file
 * (`npm run docs:errors`), and test/errors/codes.unit.test.ts fails on a code used but not listed here,
 * listed but unused, or missing from DESIGN section 6.
 */

type Severity = 'error' | 'warning' | 'info'
interface WarningInfo { severity: Severity; meaning: string; fix: string }
interface ErrorInfo { exitCode: 1 | 2 | 3 | 4; meaning: string; fix: string }
interface ApiInfo { status: number; meaning: string; fix: string }

/** Warnings about a plugin; `severity` is the usual one (a few codes are raised at another severity where the message says so). */
export const warningCodes = {
  NOT_A_PLUGIN: { severity: 'info', meaning: 'An entry in a plugin source is neither a plugin folder, a plugin archive nor a single-file plugin.', fix: 'Remove it, or give it a plugin.json (or package.json "appPlugin", or an exported manifest).' },
  MANIFEST_INVALID: { severity: 'error', meaning: 'plugin.json (or its equivalent) is missing, not JSON, or has a field of the wrong shape.', fix: 'Correct the field the message names; DESIGN section 4 lists the keys.' },
  API_VERSION_UNSUPPORTED: { severity: 'error', meaning: 'The manifest asks for a plugin API version this app does not provide.', fix: 'Set "apiVersion": 1, or upgrade app.' },
  ENGINE_MISMATCH: { severity: 'error', meaning: 'The manifest\'s engines.app range excludes this app version.', fix: 'Widen engines.app or run an app version inside it.' },
  MODULE_NOT_FOUND: { severity: 'error', meaning: 'A module named in the manifest, or a file it imports, is not in the plugin.', fix: 'Ship the file, or correct the path in "modules".' },
  IMPORT_FAILED: { severity: 'error', meaning: 'Importing a plugin module threw (syntax error, top-level throw), or its files could not be written to the cache.', fix: 'Fix the module; the detail holds the stack.' },
  LOAD_MISSING: { severity: 'error', meaning: 'The first module does not export a load() function.', fix: 'Export function load() from modules[0].' },
  LOAD_FAILED: { severity: 'error', meaning: 'load() threw or rejected.', fix: 'Fix load(); the detail holds the stack.' },
  LOAD_TIMEOUT: { severity: 'error', meaning: 'Importing the plugin or its load() did not finish within loader.loadTimeoutMs.', fix: 'Make load() return promptly (start long work in the background), or raise loader.loadTimeoutMs.' },
  UNLOAD_FAILED: { severity: 'warning', meaning: 'unload() threw or timed out.', fix: 'Fix unload(); the detail holds the stack.' },
  UNLOAD_LEAK: { severity: 'warning', meaning: 'After unload() the plugin still had registrations, timers or sockets open.', fix: 'Undo in unload() what load() started (clear timers, close servers, unload registries).' },
  DUPLICATE_UID: { severity: 'error', meaning: 'Two plugins register the same filter, action or event type id.', fix: 'Rename one of the ids; the first registration keeps it.' },
  DEPRECATED_API: { severity: 'warning', meaning: 'The plugin uses a name that will be removed (such as DivvyDbObjects).', fix: 'Use the replacement the message names.' },
  NAME_CONFLICT: { severity: 'error', meaning: 'Two sources offer a plugin of the same name.', fix: 'Rename one, or remove it from one source; the earlier source wins.' },
  UPDATE_REJECTED: { severity: 'error', meaning: 'A new version failed validation; the last good version stays published.', fix: 'Fix the new version (its warnings say how) and publish again.' },
  BUNDLE_TOO_LARGE: { severity: 'error', meaning: 'The plugin exceeds limits.maxBytes, maxFiles or maxDepth.', fix: 'Make the plugin smaller or raise the limit in app.toml [limits].' },
  BUNDLE_UNSAFE: { severity: 'error', meaning: 'The plugin holds a link, a device, an absolute or ".." path, or a file name outside the safe set.', fix: 'Remove the entry the message names.' },
  CHECKSUM_MISMATCH: { severity: 'error', meaning: 'Downloaded or stored content does not match its pinned or recorded sha256.', fix: 'Update the pin, or restore the store from a backup; republish the plugin.' },
  SIGNATURE_MISSING: { severity: 'error', meaning: 'trust.requireSignature is on and the plugin is not signed.', fix: 'Sign it with `app plugins pack --key`, or turn requireSignature off.' },
  SIGNATURE_INVALID: { severity: 'error', meaning: 'The signature does not verify, or the signed files, name or version differ from the plugin\'s.', fix: 'Re-pack the plugin with `app plugins pack --key`.' },
  SIGNATURE_UNTRUSTED: { severity: 'warning', meaning: 'The plugin is signed by a key not in trust.publicKeys (an error when signatures are required).', fix: 'Add the public key to trust.publicKeys, or sign with a trusted key.' },
  SOURCE_UNREACHABLE: { severity: 'warning', meaning: 'A remote source could not be read; its last good plugins stay.', fix: 'Check the URL, credentials and network; the message says what failed.' },
  FRONTEND_ASSET_MISSING: { severity: 'warning', meaning: 'A file listed in "frontend" is not in the plugin.', fix: 'Ship the file or remove it from "frontend".' },
  ORPHANED_EVENTS: { severity: 'warning', meaning: 'Scheduled events wait for an event type that no loaded plugin registers.', fix: 'Publish the plugin that registers the type; the events run when it returns (or cancel them).' },
  UNHANDLED_ERROR: { severity: 'warning', meaning: 'An error or rejection escaped plugin code (a callback or a promise nobody awaited); the process kept running.', fix: 'Catch errors inside the plugin: await its promises, try/catch in callbacks.' },
  RUNTIME_ERROR: { severity: 'warning', meaning: 'Plugin code failed while running: a filter, action, event handler, hook, job or route threw, timed out, crashed its thread or hit its memory cap.', fix: 'Fix the plugin code at the file and line in the detail; raise the timeout or memory cap only if the work needs it.' },
  SETTINGS_INVALID: { severity: 'warning', meaning: 'A declared plugin setting is unset though required, or holds a value of the wrong type.', fix: 'Set it with `app plugins settings <name> set key=value`.' },
  DOWNGRADE_REFUSED: { severity: 'error', meaning: 'A source offers a lower version than the one published; the current version stays.', fix: 'Roll back with `app plugins rollback`, or set allowDowngrade = true on the source.' },
  COMPILE_FAILED: { severity: 'error', meaning: 'A TypeScript module of the plugin does not compile.', fix: 'Fix the file at the line and column in the message.' },
} as const satisfies Record<string, WarningInfo>

/** Errors the CLI and the roles report as a message and an exit code (DESIGN section 10), never a stack. */
export const errorCodes = {
  USAGE: { exitCode: 2, meaning: 'A command was called with a wrong argument or option.', fix: 'Read the message and `app <command> --help`.' },
  CONFIG_INVALID: { exitCode: 2, meaning: 'A configuration value (app.toml, APP_* environment or flag) is invalid.', fix: 'Correct the key the message names.' },
  CONFIG_UNREADABLE: { exitCode: 2, meaning: 'The config file cannot be read or is not valid TOML.', fix: 'Check the path and the line and column the message gives.' },
  FILE_UNREADABLE: { exitCode: 2, meaning: 'An input file (resources, bots) cannot be read.', fix: 'Check the path and permissions.' },
  FILE_INVALID: { exitCode: 2, meaning: 'An input file is not valid JSON or TOML, or its entries have the wrong shape.', fix: 'Correct the entries the message lists.' },
  ADMIN_TOKEN_WEAK: { exitCode: 2, meaning: 'The admin token is too short or too predictable.', fix: 'Use a random token, such as the output of `openssl rand -hex 32`.' },
  ADMIN_TOKEN_FILE_UNSAFE: { exitCode: 2, meaning: 'data/admin-token is a symbolic link, not a regular file, or loosely permitted and shared with another file or user.', fix: 'Replace it with a regular file of mode 0600 (or delete it to have one generated), or set APP_ADMIN_TOKEN.' },
  KEY_INVALID: { exitCode: 2, meaning: 'A signing key file is not an ed25519 key.', fix: 'Create one with `app plugins keygen`.' },
  KEY_EXISTS: { exitCode: 1, meaning: 'keygen would overwrite an existing key file.', fix: 'Choose another path or move the old key away.' },
  PACK_REFUSED: { exitCode: 1, meaning: 'The folder cannot be packed as a plugin (its manifest or files are invalid).', fix: 'Fix what the message lists, then pack again.' },
  WRITER_LOCKED: { exitCode: 3, meaning: 'Another scheduler (or `plugins sync`) holds the writer lock.', fix: 'Stop the holder the message names, or run this on that host.' },
  STORE_MISSING: { exitCode: 4, meaning: 'plugins.db does not exist yet, or is empty.', fix: 'Start the scheduler once (`app --role=scheduler` or `app plugins sync`).' },
  STORE_FOREIGN: { exitCode: 4, meaning: 'plugins.db is not an app plugin store.', fix: 'Point --data-dir at the right directory; the file was left untouched.' },
  STORE_TOO_NEW: { exitCode: 4, meaning: 'plugins.db was written by a newer app.', fix: 'Run the newer app, or restore a backup made by this version.' },
  STORE_DAMAGED: { exitCode: 4, meaning: 'plugins.db fails its integrity check.', fix: 'Stop the roles and restore the latest `app backup` copy (packaging/README.md).' },
  RUNTIME_FOREIGN: { exitCode: 4, meaning: 'runtime.db is not an app runtime database.', fix: 'Point --data-dir at the right directory; the file was left untouched.' },
  RUNTIME_TOO_NEW: { exitCode: 4, meaning: 'runtime.db was written by a newer app.', fix: 'Run the newer app, or restore a backup made by this version.' },
  DISK_FULL: { exitCode: 1, meaning: 'The filesystem of the data directory is full.', fix: 'Free space: data/cache can always be deleted; keep fewer generations (store.keepGenerations).' },
  DATA_DIR_NOT_LOCAL: { exitCode: 2, meaning: 'The data directory is on a network or FUSE filesystem, where SQLite WAL is unsafe.', fix: 'Use a local disk for --data-dir.' },
  NATIVE_DIR_UNUSABLE: { exitCode: 1, meaning: 'The single executable cannot write or execute its SQLite addon in the native directory.', fix: 'Set APP_NATIVE_DIR to a writable directory on a filesystem mounted without noexec.' },
  NATIVE_ADDON_MISSING: { exitCode: 1, meaning: 'The SQLite addon is not embedded in this build.', fix: 'Rebuild with `npm run build`.' },
  WEB_LISTEN_FAILED: { exitCode: 1, meaning: 'The web role cannot listen on its host and port.', fix: 'Pick another --port (0 for any free one) or --host.' },
  PLUGIN_NOT_FOUND: { exitCode: 1, meaning: 'No plugin of that name is in the current generation.', fix: '`app plugins list` shows the names.' },
  GENERATION_NOT_FOUND: { exitCode: 1, meaning: 'No kept generation has that id.', fix: '`app plugins generations` lists the kept ones.' },
  SETTINGS_REJECTED: { exitCode: 2, meaning: '`app plugins settings <name> set` was given a key the plugin does not declare, a value of the wrong type or outside its choices, or a secret that is not a reference; nothing was changed.', fix: 'Give each key=value as the message says (a secret as env:NAME or file:/path); `app plugins settings <name>` lists the declared settings.' },
  BOTS_INVALID: { exitCode: 2, meaning: '`app bots apply`: a bot\'s filter or action settings do not fit the settingsConfig they registered (unknown key, missing required one, wrong type, value outside its choices), or a filter does not support one of its resourceTypes; no bot was applied.', fix: 'Fix every bot the message lists (each line names the bot, filter or action, key, expected and found), then apply again; `app plugins show <plugin> --json` lists each registered settingsConfig.' },
  BOT_NOT_FOUND: { exitCode: 1, meaning: 'No bot of that name was applied.', fix: '`app bots apply <file>` first; the message lists the bots.' },
  EVENT_NOT_FOUND: { exitCode: 1, meaning: 'No event has that id.', fix: '`app events list` shows the ids.' },
  EVENT_NOT_RETRYABLE: { exitCode: 1, meaning: 'Only failed, cancelled or orphaned events can be retried.', fix: 'Wait for the event to finish, or cancel it first.' },
  EVENT_NOT_CANCELLABLE: { exitCode: 1, meaning: 'A running or finished event cannot be cancelled.', fix: 'Nothing to do: it is already past cancelling.' },
  EVENT_NOT_SCHEDULED: { exitCode: 1, meaning: 'The event could not be scheduled.', fix: 'Read the message; it names what is missing.' },
  PLUGIN_REQUEST_FAILED: { exitCode: 1, meaning: '`app plugins disable|enable` was applied by the scheduler and failed (no such plugin, or no source offers it any more); nothing changed.', fix: 'Read the message; `app plugins list` shows the plugins and GET /api/v1/audit every request with its outcome.' },
  INIT_DIR_NOT_EMPTY: { exitCode: 2, meaning: '`app plugin init` was pointed at a folder that already holds files.', fix: 'Name a new or empty folder.' },
  PLUGIN_DIR_INVALID: { exitCode: 2, meaning: '`app plugin test` or `app plugin dev` was given a path that does not exist or is not a folder.', fix: 'Give the plugin folder (the one holding plugin.json); `app plugin init <dir>` writes a new one.' },
  NO_PLUGIN_TESTS: { exitCode: 1, meaning: '`app plugin test` found no *.test.{js,mjs,cjs,ts,mts} file in the plugin folder (outside node_modules).', fix: 'Add a test file; `app plugin init` writes a first one using createTestHost.' },
  PLUGIN_TESTS_FAILED: { exitCode: 1, meaning: '`app plugin test`: a test of the plugin failed, or its TypeScript does not compile as the scheduler would compile it.', fix: 'Read the failing tests (named in the message, with their errors above it) or the compile errors, fix them and run again.' },
  BACKUP_DIR_NOT_EMPTY: { exitCode: 2, meaning: 'The backup target directory already holds files.', fix: 'Name a new or empty directory.' },
  BACKUP_FAILED: { exitCode: 1, meaning: 'A backup copy could not be written or did not verify.', fix: 'Check free space and the message; the source databases are untouched.' },
} as const satisfies Record<string, ErrorInfo>

/** `{"error": {"code", "message"}}` bodies of the JSON API and plugin routes. */
export const apiCodes = {
  UNAUTHORIZED: { status: 401, meaning: 'No valid admin token or session.', fix: 'Send "Authorization: Bearer <token>" or sign in at /login.' },
  TOO_MANY_FAILED_SIGN_INS: { status: 429, meaning: 'This client address failed to sign in too often within a minute; its token is not checked until Retry-After passes.', fix: 'Wait the Retry-After seconds and use the right token.' },
  CROSS_ORIGIN: { status: 403, meaning: 'A request other than GET or HEAD came from another origin (Origin or Sec-Fetch-Site), such as a form on another port of the same host.', fix: 'Make changes from the admin\'s own pages; scripts send "Authorization: Bearer <token>" without an Origin header.' },
  BAD_QUERY: { status: 400, meaning: 'A query parameter has a wrong value.', fix: 'The message names the parameter and the values it takes.' },
  BAD_FORM: { status: 400, meaning: 'An operator form (acknowledge, roll back, settings) has a missing or wrong field; nothing was changed.', fix: 'The message names the field and what it takes (a note of 1 to 500 characters, a stored version that passed validation, a setting value of its declared type).' },
  CSRF_INVALID: { status: 403, meaning: 'A signed-in form post did not carry this session\'s CSRF token (an old page, or another site).', fix: 'Reload the page and send the form again; scripts send "Authorization: Bearer <token>" and need no CSRF token.' },
  WARNING_NOT_FOUND: { status: 404, meaning: 'No current warning has that id for that plugin (it went with a new generation, or the id is wrong).', fix: 'GET /api/v1/warnings?state=all lists every warning with its id.' },
  VERSION_NOT_FOUND: { status: 404, meaning: 'The store keeps no version of the plugin with that number (compare).', fix: 'The message lists the versions kept; old ones are pruned after store.keepGenerations.' },
  EVENT_NOT_FOUND: { status: 404, meaning: 'No event has that id (retry, cancel).', fix: 'GET /api/v1/events lists the events kept.' },
  EVENT_CONFLICT: { status: 409, meaning: 'The event cannot be retried or cancelled in its state (a pending event is not retried; a finished one is not cancelled).', fix: 'The message says its state; reload the events page.' },
  NOT_FOUND: { status: 404, meaning: 'No route at that path.', fix: 'The message lists the routes.' },
  PLUGIN_NOT_FOUND: { status: 404, meaning: 'No plugin of that name in the current generation.', fix: 'GET /api/v1/plugins lists them.' },
  ASSET_NOT_FOUND: { status: 404, meaning: 'The plugin has no such frontend file.', fix: 'Check the plugin\'s "frontend" list.' },
  ASSET_PATH_REFUSED: { status: 400, meaning: 'The asset path leaves the plugin folder or has unsafe characters.', fix: 'Request a path inside the plugin.' },
  PLUGIN_ROUTE_NOT_FOUND: { status: 404, meaning: 'No loaded plugin of that name has routes.', fix: 'Check the name, and that the plugin calls registerApiBlueprint.' },
  PLUGIN_ROUTE_FAILED: { status: 500, meaning: 'The plugin\'s route threw.', fix: 'See the plugin\'s RUNTIME_ERROR warning for the stack.' },
  PLUGIN_ROUTE_TIMEOUT: { status: 504, meaning: 'The plugin\'s route did not answer in time.', fix: 'Make the route answer sooner; long work belongs in a job.' },
  INTERNAL: { status: 500, meaning: 'The request failed inside app.', fix: 'The server log has the details.' },
} as const satisfies Record<string, ApiInfo>

export type WarningCode = keyof typeof warningCodes
export type ErrorCode = keyof typeof errorCodes
export type ApiCode = keyof typeof apiCodes
