import type { Command } from 'commander'
import type { KeyObject } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import type { PackedPlugin } from '../../signing/pack-plugin.ts'
import { parsePrivateKey } from '../../signing/signing-keys.ts'
import { configFromCommand } from '../cli-context.ts'
import { print } from '../print-output.ts'
import { PRIVATE_KEY_FILE } from './signing-key-files.ts'

/** `app plugins pack <dir> [--key FILE] [--out FILE]`: a reproducible archive, its checksum and (with --key) its ed25519 signature. */
export function addPluginsPackCommand(plugins: Command): void {
  plugins
    .command('pack')
    .description('write a reproducible .tgz of a plugin folder with a manifest of file hashes, signed with --key, plus a .sha256 file')
    .argument('<dir>', 'the plugin folder (holds plugin.json)')
    .option('--key <file>', `ed25519 private key (PEM) from \`app plugins keygen\`; without it the archive is unsigned`)
    .option('--out <file>', 'archive to write (default: <name>-<version>.tgz in the current folder)')
    .action(async (dir: string, opts: { key?: string; out?: string }, cmd: Command) => {
      const config = configFromCommand(cmd)
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw new AppError('USAGE', `${dir} is not a folder; expected the plugin folder that holds plugin.json.`, {
          exitCode: ExitCode.usage,
        })
      let privateKey: KeyObject | undefined
      if (opts.key) {
        try {
          privateKey = parsePrivateKey(readFileSync(opts.key, 'utf8'))
        } catch (cause) {
          throw new AppError(
            'KEY_INVALID',
            `--key ${opts.key}: ${(cause as Error).message}. Expected the ${PRIVATE_KEY_FILE} file \`app plugins keygen\` writes.`,
            { exitCode: ExitCode.usage, cause },
          )
        }
      }
      const { packPlugin, PackError } = await import('../../signing/pack-plugin.ts') // tar: loaded when used
      let packed: PackedPlugin
      try {
        packed = await packPlugin(dir, { limits: config.limits, privateKey })
      } catch (error) {
        if (!(error instanceof PackError)) throw error
        throw new AppError(
          'PACK_REFUSED',
          `${dir} cannot be packed, because it would not load:\n${error.problems.map((p) => `  ${p}`).join('\n')}`,
          { exitCode: ExitCode.runtime },
        )
      }
      const out = resolve(opts.out ?? `${packed.name}-${packed.version}.tgz`)
      writeFileSync(out, packed.archive)
      writeFileSync(`${out}.sha256`, `${packed.sha256}  ${basename(out)}\n`)
      if (packed.detachedSignature) writeFileSync(`${out}.sig`, `${packed.detachedSignature}\n`)
      print(`wrote ${out} (${packed.name} ${packed.version}, ${packed.files} files, ${packed.archive.length} bytes)`)
      print(`sha256 ${packed.sha256} (also in ${basename(out)}.sha256)`)
      print(
        packed.keyId
          ? `signed with key ${packed.keyId}; ${basename(out)}.sig holds the signature for an index's "signature" field`
          : 'unsigned: pass --key to sign it',
      )
    })
}
