import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { runtimeMode } from '../sea/runtime-mode.ts'
import { printError } from './print-output.ts'

const CHILD = 'APP_PLUGIN_TEST_CHILD'

/** A plugin folder given to `app plugin test|dev`: it must exist and be a folder (or a single-file plugin for dev). */
export function pluginDirArg(dirArg: string, command: string): string {
  const dir = resolve(dirArg)
  const st = statSync(dir, { throwIfNoEntry: false })
  if (!st?.isDirectory()) {
    throw new AppError(
      'PLUGIN_DIR_INVALID',
      `${dir} ${st ? 'is not a folder' : 'does not exist'}; \`app plugin ${command} <dir>\` takes a plugin folder (one with plugin.json, or package.json "appPlugin"). \`app plugin init <dir>\` writes a new one.`,
    )
  }
  return dir
}

/**
 * The same command again, with Node's source maps on (NODE_OPTIONS, which the
 * single executable honours too): node:test reads that flag at start to put
 * each failing test at its TypeScript line. Resolves with the child's exit code.
 */
function rerunWithSourceMaps(): Promise<number> {
  const args = runtimeMode() === 'sea' ? process.argv.slice(2) : [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)]
  const env = { ...process.env, [CHILD]: '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --enable-source-maps`.trim() }
  const child = spawn(process.execPath, args, { stdio: 'inherit', env })
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal)
  }
  process.on('SIGINT', forward).on('SIGTERM', forward)
  return new Promise((res, rej) => {
    child.on('error', rej)
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward)
      res(code ?? (signal ? 128 + 2 : ExitCode.runtime))
    })
  })
}

/** `app plugin test <dir>`: the plugin's own tests against the test host, output as `node --test` writes it; exit 1 when one fails. */
export function addPluginTestCommand(plugin: Command): void {
  plugin
    .command('test')
    .description(
      "run the plugin's *.test.{js,mjs,cjs,ts,mts} files with node:test against a test host (import { createTestHost } from 'app/plugin/testing')",
    )
    .argument('<dir>', 'the plugin folder')
    .option('--name <pattern...>', 'only the tests whose name matches one of these regular expressions (node --test-name-pattern)')
    .action(async (dirArg: string, opts: { name?: string[] }, cmd: Command) => {
      const dir = pluginDirArg(dirArg, 'test')
      if (!process.sourceMapsEnabled && process.env[CHILD] !== '1') {
        process.exitCode = await rerunWithSourceMaps()
        return
      }
      const tmp = mkdtempSync(join(tmpdir(), 'app-plugin-test-'))
      // One copy of the executable's SQLite addon and compiler for every test host of the run, not one per host.
      process.env.APP_NATIVE_DIR ||= join(tmp, 'native')
      // The publish dry run of each test host logs in a thread of its own; the tests read host.logs instead.
      if (!cmd.optsWithGlobals().logLevel && !process.env.APP_LOG_LEVEL) process.env.APP_LOG_LEVEL = 'silent'
      try {
        // Loaded here, not at start: the test host is a fifth of every other command's start-up.
        const { runPluginTests } = await import('../testing/run-plugin-tests.ts')
        const r = await runPluginTests(dir, { tmpDir: tmp, namePatterns: opts.name, out: process.stdout })
        if (!r.files.length)
          throw new AppError(
            'NO_PLUGIN_TESTS',
            `no test files in ${dir}: \`app plugin test\` runs the plugin's *.test.js, .mjs, .cjs, .ts and .mts files (outside node_modules). \`app plugin init\` writes a first one.`,
          )
        if (r.compileWarnings.length) {
          throw new AppError(
            'PLUGIN_TESTS_FAILED',
            `plugin "${r.plugin}": its TypeScript does not compile as the scheduler would compile it, so no test ran:\n${r.compileWarnings.map((w) => `  ${w.code}: ${w.message}${w.detail ? `\n    ${w.detail.split('\n').join('\n    ')}` : ''}`).join('\n')}`,
          )
        }
        if (r.leftOpen)
          printError(
            `app: note: ${r.leftOpen} test host(s) were left open by the tests and closed after the run; close each one (await host.close(), in an after() hook)`,
          )
        if (!r.ok)
          throw new AppError(
            'PLUGIN_TESTS_FAILED',
            `${r.failed.length} test(s) of plugin "${r.plugin}" failed: ${r.failed.map((n) => `"${n}"`).join(', ')}`,
          )
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    })
}
