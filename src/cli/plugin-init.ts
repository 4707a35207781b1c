import type { Command } from 'commander'
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { pluginSkeleton, SDK_TYPES_FILE, TESTING_TYPES_FILE } from '../authoring/plugin-skeleton.ts'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { sdkDeclarations, sdkTestingDeclarations } from '../sdk/sdk-declarations.ts'

const print = (text: string) => process.stdout.write(`${text}\n`)

/** `app plugin init <dir> [--ts]`: a new plugin folder with everything an air-gapped author needs. */
export function addPluginInitCommand(plugin: Command): void {
  plugin
    .command('init')
    .description('write a plugin skeleton: manifest, module, SDK type declarations, a first test (and tsconfig.json with --ts)')
    .argument('<dir>', 'folder to create (must be missing or empty); its name is the plugin name')
    .option('--ts', 'TypeScript: index.ts and tsconfig.json (the scheduler compiles it when it publishes)')
    .action(async (dirArg: string, opts: { ts?: boolean }) => {
      const dir = resolve(dirArg)
      if (existsSync(dir)) {
        if (!statSync(dir).isDirectory())
          throw new AppError(
            'INIT_DIR_NOT_EMPTY',
            `${dir} exists and is not a folder. app plugin init writes a new plugin folder; choose another path.`,
            { exitCode: ExitCode.usage },
          )
        const found = readdirSync(dir)
        if (found.length)
          throw new AppError(
            'INIT_DIR_NOT_EMPTY',
            `${dir} is not empty (it holds ${found.slice(0, 5).join(', ')}${found.length > 5 ? ', ...' : ''}); app plugin init never overwrites files. Choose a new or empty folder.`,
            { exitCode: ExitCode.usage },
          )
      }
      const { fallbackNameOf, PLUGIN_NAME } = await import('../manifest/validate-manifest.ts') // zod, semver: loaded when used
      const name = PLUGIN_NAME.test(basename(dir)) ? basename(dir) : fallbackNameOf(basename(dir))
      const files = {
        ...pluginSkeleton(name, { ts: opts.ts === true }),
        [SDK_TYPES_FILE]: sdkDeclarations(),
        [TESTING_TYPES_FILE]: sdkTestingDeclarations(),
      }
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true })
        writeFileSync(join(dir, path), text, { flag: 'wx' })
      }
      print(`wrote plugin "${name}" to ${dir}:`)
      for (const path of Object.keys(files).sort()) print(`  ${path}`)
      print(
        `\nNext: \`app plugin test ${dirArg}\` runs its test; \`app plugin dev ${dirArg}\` runs it in every role and reloads it as you edit index.${opts.ts ? 'ts' : 'js'}. To publish, copy the folder into the scheduler's plugins/ directory (or run \`app plugins sync --plugins-dir ${dirname(dir)}\`).`,
      )
    })
}
