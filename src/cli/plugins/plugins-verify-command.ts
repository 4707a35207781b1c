import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { configFromCommand } from '../cli-context.ts'
import { print, printJson } from '../print-output.ts'

/** `app plugins verify <archive> [--json]`: the scheduler's checks of an archive (extraction, manifest, signature, .sha256), without publishing it. */
export function addPluginsVerifyCommand(plugins: Command): void {
  plugins
    .command('verify')
    .description('check an archive as the scheduler would: safe to extract, manifest, signature, .sha256 file')
    .argument('<archive>', 'a .tgz or .zip')
    .option('--json', 'print JSON')
    .action(async (archive: string, opts: { json?: boolean }, cmd: Command) => {
      const config = configFromCommand(cmd)
      if (!existsSync(archive))
        throw new AppError('USAGE', `${archive} does not exist; expected a .tgz or .zip file.`, { exitCode: ExitCode.usage })
      // Loaded when used (tar, the archive checks): every other command starts faster.
      const [{ createTrust }, { verifyArchive }] = await Promise.all([
        import('../../signing/create-trust.ts'),
        import('../../sources/verify-archive.ts'),
      ])
      const report = await verifyArchive(archive, { limits: config.limits, trust: createTrust(config.trust) })
      if (!report.ok) process.exitCode = ExitCode.runtime
      if (opts.json) return void printJson(report)
      print(`${archive}\n  sha256 ${report.sha256}`)
      if (report.checksum)
        print(
          report.checksum.ok
            ? `  ${basename(report.checksum.file)}: matches`
            : `  CHECKSUM_MISMATCH: ${basename(report.checksum.file)} says ${report.checksum.expected ?? '(no sha256 in it)'}; the archive changed after it was packed`,
        )
      if (!report.plugins.length) print('  no plugin in the archive')
      for (const p of report.plugins) {
        const sig = p.signature ? `signature ${p.signature.state}${p.signature.keyId ? ` (key ${p.signature.keyId})` : ''}` : 'not checked'
        print(`  ${p.name} ${p.version}: ${sig}`)
        for (const w of p.warnings) print(`    ${w.severity} ${w.code}: ${w.message}`)
      }
      print(report.ok ? 'OK: it would load under this trust config' : 'FAILED: it would not load as it is (see above)')
    })
}
