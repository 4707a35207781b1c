// Warning codes of the catalog (see codes.ts).
type Severity = 'error' | 'warning' | 'info'
export interface WarningInfo {
  severity: Severity
  meaning: string
  fix: string
}

/** Warnings about a plugin; `severity` is the usual one (a few codes are raised at another severity where the message says so). */
export const warningCodes = {
  NOT_A_PLUGIN: {
    severity: 'info',
    meaning: 'An entry in a plugin source is neither a plugin folder, a plugin archive nor a single-file plugin.',
    fix: 'Remove it, or give it a plugin.json (or package.json "appPlugin", or an exported manifest).',
  },
  MANIFEST_INVALID: {
    severity: 'error',
    meaning: 'plugin.json (or its equivalent) is missing, not JSON, or has a field of the wrong shape.',
    fix: 'Correct the field the message names; DESIGN section 4 lists the keys.',
  },
  API_VERSION_UNSUPPORTED: {
    severity: 'error',
    meaning: 'The manifest asks for a plugin API version this app does not provide.',
    fix: 'Set "apiVersion": 1, or upgrade app.',
  },
  ENGINE_MISMATCH: {
    severity: 'error',
    meaning: "The manifest's engines.app range excludes this app version.",
    fix: 'Widen engines.app or run an app version inside it.',
  },
  MODULE_NOT_FOUND: {
    severity: 'error',
    meaning: 'A module named in the manifest, or a file it imports, is not in the plugin.',
    fix: 'Ship the file, or correct the path in "modules".',
  },
  IMPORT_FAILED: {
    severity: 'error',
    meaning: 'Importing a plugin module threw (syntax error, top-level throw), or its files could not be written to the cache.',
    fix: 'Fix the module; the detail holds the stack.',
  },
  LOAD_MISSING: {
    severity: 'error',
    meaning: 'The first module does not export a load() function.',
    fix: 'Export function load() from modules[0].',
  },
  LOAD_FAILED: { severity: 'error', meaning: 'load() threw or rejected.', fix: 'Fix load(); the detail holds the stack.' },
  LOAD_TIMEOUT: {
    severity: 'error',
    meaning: 'Importing the plugin or its load() did not finish within loader.loadTimeoutMs.',
    fix: 'Make load() return promptly (start long work in the background), or raise loader.loadTimeoutMs.',
  },
  UNLOAD_FAILED: { severity: 'warning', meaning: 'unload() threw or timed out.', fix: 'Fix unload(); the detail holds the stack.' },
  UNLOAD_LEAK: {
    severity: 'warning',
    meaning: 'After unload() the plugin still had registrations, timers or sockets open.',
    fix: 'Undo in unload() what load() started (clear timers, close servers, unload registries).',
  },
  DUPLICATE_UID: {
    severity: 'error',
    meaning: 'Two plugins register the same filter, action or event type id.',
    fix: 'Rename one of the ids; the first registration keeps it.',
  },
  DEPRECATED_API: {
    severity: 'warning',
    meaning: 'The plugin uses a name that will be removed (such as DivvyDbObjects).',
    fix: 'Use the replacement the message names.',
  },
  NAME_CONFLICT: {
    severity: 'error',
    meaning: 'Two sources offer a plugin of the same name.',
    fix: 'Rename one, or remove it from one source; the earlier source wins.',
  },
  UPDATE_REJECTED: {
    severity: 'error',
    meaning: 'A new version failed validation; the last good version stays published.',
    fix: 'Fix the new version (its warnings say how) and publish again.',
  },
  BUNDLE_TOO_LARGE: {
    severity: 'error',
    meaning: 'The plugin exceeds limits.maxBytes, maxFiles or maxDepth.',
    fix: 'Make the plugin smaller or raise the limit in app.toml [limits].',
  },
  BUNDLE_UNSAFE: {
    severity: 'error',
    meaning: 'The plugin holds a link, a device, an absolute or ".." path, or a file name outside the safe set.',
    fix: 'Remove the entry the message names.',
  },
  CHECKSUM_MISMATCH: {
    severity: 'error',
    meaning: 'Downloaded or stored content does not match its pinned or recorded sha256.',
    fix: 'Update the pin, or restore the store from a backup; republish the plugin.',
  },
  SIGNATURE_MISSING: {
    severity: 'error',
    meaning: 'trust.requireSignature is on and the plugin is not signed.',
    fix: 'Sign it with `app plugins pack --key`, or turn requireSignature off.',
  },
  SIGNATURE_INVALID: {
    severity: 'error',
    meaning: "The signature does not verify, or the signed files, name or version differ from the plugin's.",
    fix: 'Re-pack the plugin with `app plugins pack --key`.',
  },
  SIGNATURE_UNTRUSTED: {
    severity: 'warning',
    meaning: 'The plugin is signed by a key not in trust.publicKeys (an error when signatures are required).',
    fix: 'Add the public key to trust.publicKeys, or sign with a trusted key.',
  },
  SOURCE_UNREACHABLE: {
    severity: 'warning',
    meaning: 'A remote source could not be read; its last good plugins stay.',
    fix: 'Check the URL, credentials and network; the message says what failed.',
  },
  FRONTEND_ASSET_MISSING: {
    severity: 'warning',
    meaning: 'A file listed in "frontend" is not in the plugin.',
    fix: 'Ship the file or remove it from "frontend".',
  },
  ORPHANED_EVENTS: {
    severity: 'warning',
    meaning: 'Scheduled events wait for an event type that no loaded plugin registers.',
    fix: 'Publish the plugin that registers the type; the events run when it returns (or cancel them).',
  },
  UNHANDLED_ERROR: {
    severity: 'warning',
    meaning: 'An error or rejection escaped plugin code (a callback or a promise nobody awaited); the process kept running.',
    fix: 'Catch errors inside the plugin: await its promises, try/catch in callbacks.',
  },
  RUNTIME_ERROR: {
    severity: 'warning',
    meaning:
      'Plugin code failed while running: a filter, action, event handler, hook, job or route threw, timed out, crashed its thread or hit its memory cap.',
    fix: 'Fix the plugin code at the file and line in the detail; raise the timeout or memory cap only if the work needs it.',
  },
  SETTINGS_INVALID: {
    severity: 'warning',
    meaning: 'A declared plugin setting is unset though required, or holds a value of the wrong type.',
    fix: 'Set it with `app plugins settings <name> set key=value`.',
  },
  DOWNGRADE_REFUSED: {
    severity: 'error',
    meaning: 'A source offers a lower version than the one published; the current version stays.',
    fix: 'Roll back with `app plugins rollback`, or set allowDowngrade = true on the source.',
  },
  COMPILE_FAILED: {
    severity: 'error',
    meaning: 'A TypeScript module of the plugin does not compile.',
    fix: 'Fix the file at the line and column in the message.',
  },
} as const satisfies Record<string, WarningInfo>
