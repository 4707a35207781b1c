import type { Command } from 'commander'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'

const shown = (v: unknown, n = 60) => {
  const s = JSON.stringify(v)
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}

/**
 * `app plugins storage <name> [--clear] [--json]`: what a plugin keeps with `storage` (runtime tables), or
 * all of it removed. Works for a plugin no longer published too: its keys stay until cleared.
 */
export function addPluginsStorageCommand(plugins: Command): void {
  plugins
    .command('storage')
    .description('list the keys a plugin keeps with `storage` (sizes, expiry, values), or remove them all with --clear')
    .argument('<name>', 'plugin name')
    .option('--clear', 'delete every key the plugin stores')
    .option('--json', 'print JSON: {"plugin", "bytes", "limitBytes", "keys": [...]} (with --clear: {"plugin", "cleared", "bytes"})')
    .action(async (name: string, opts: { clear?: boolean; json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime, config) => {
        const storage = runtime.storage(config.limits.storageBytes)
        const { bytes, entries } = await storage.entries(name)
        if (opts.clear) {
          const cleared = await storage.clear(name)
          if (opts.json) return printJson({ plugin: name, cleared, bytes })
          return print(cleared ? `cleared ${cleared} key(s) (${bytes} bytes) of plugin "${name}"` : `plugin "${name}" stores nothing`)
        }
        if (opts.json) return printJson({ plugin: name, bytes, limitBytes: config.limits.storageBytes, keys: entries })
        if (!entries.length)
          return print(`plugin "${name}" stores nothing (limit ${config.limits.storageBytes} bytes, limits.storageBytes)`)
        print(
          formatTable(
            ['KEY', 'BYTES', 'EXPIRES', 'UPDATED', 'VALUE'],
            entries.map((e) => [e.key, String(e.bytes), e.expiresAt ?? '-', e.updatedAt, shown(e.value)]),
          ),
        )
        print(
          `\n${entries.length} key(s), ${bytes} of ${config.limits.storageBytes} bytes (limits.storageBytes); \`app plugins storage ${name} --clear\` removes them`,
        )
      })
    })
}
