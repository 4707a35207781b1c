import type { Command } from 'commander'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { createTrust } from '../signing/create-trust.ts'
import { packPlugin, PackError } from '../signing/pack-plugin.ts'
import { generateSigningKey, parsePrivateKey } from '../signing/signing-keys.ts'
import { verifyArchive } from '../sources/verify-archive.ts'
import { configFromCommand } from './cli-context.ts'
import { print, printJson } from './print-output.ts'

export const PRIVATE_KEY_FILE = 'plugin-signing.key'
export const PUBLIC_KEY_FILE = 'plugin-signing.pub'

/** `app plugins pack | verify | keygen`: reproducible archives, checksums and ed25519 signatures. */
export function addPackCommands(plugins: Command): void {
  plugins.command('keygen').description(`write an ed25519 key pair for signing plugins (${PRIVATE_KEY_FILE}, ${PUBLIC_KEY_FILE})`)
    .option('--out <dir>', 'folder to write the two files to', '.')
    .action((opts: { out: string }) => {
      const dir = resolve(opts.out)
      const privateFile = join(dir, PRIVATE_KEY_FILE)
      const publicFile = join(dir, PUBLIC_KEY_FILE)
      for (const f of [privateFile, publicFile]) {
        if (existsSync(f)) throw new AppError('KEY_EXISTS', `${f} already exists; keygen never overwrites a key. Move it away or choose another --out folder.`, { exitCode: ExitCode.runtime })
      }
      mkdirSync(dir, { recursive: true })
      const key = generateSigningKey()
      writeFileSync(privateFile, key.privatePem, { mode: 0o600, flag: 'wx' })
      writeFileSync(publicFile, `${key.publicBase64}\n`, { mode: 0o644, flag: 'wx' })
      print(`wrote ${privateFile} (private, mode 0600: keep it secret, sign with \`app plugins pack <dir> --key ${privateFile}\`)`)
      print(`wrote ${publicFile}`)
      print(`key id: ${key.keyId}`)
      print(`\nTo trust it, add the public key to app.toml:\n  [trust]\n  publicKeys = ["${key.publicBase64}"]\nor set APP_TRUST_PUBLIC_KEYS=${key.publicBase64}`)
    })

  plugins.command('pack').description('write a reproducible .tgz of a plugin folder with a manifest of file hashes, signed with --key, plus a .sha256 file')
    .argument('<dir>', 'the plugin folder (holds plugin.json)')
    .option('--key <file>', `ed25519 private key (PEM) from \`app plugins keygen\`; without it the archive is unsigned`)
    .option('--out <file>', 'archive to write (default: <name>-<version>.tgz in the current folder)')
    .action(async (dir: string, opts: { key?: string; out?: string }, cmd: Command) => {
      const config = configFromCommand(cmd)
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AppError('USAGE', `${dir} is not a folder; expected the plugin folder that holds plugin.json.`, { exitCode: ExitCode.usage })
      let privateKey
      if (opts.key) {
        try {
          privateKey = parsePrivateKey(readFileSync(opts.key, 'utf8'))
        } catch (cause) {
          throw new AppError('KEY_INVALID', `--key ${opts.key}: ${(cause as Error).message}. Expected the ${PRIVATE_KEY_FILE} file \`app plugins keygen\` writes.`, { exitCode: ExitCode.usage, cause })
        }
      }
      let packed
      try {
        packed = await packPlugin(dir, { limits: config.limits, privateKey })
      } catch (error) {
        if (!(error instanceof PackError)) throw error
        throw new AppError('PACK_REFUSED', `${dir} cannot be packed, because it would not load:\n${error.problems.map((p) => `  ${p}`).join('\n')}`, { exitCode: ExitCode.runtime })
      }
      const out = resolve(opts.out ?? `${packed.name}-${packed.version}.tgz`)
      writeFileSync(out, packed.archive)
      writeFileSync(`${out}.sha256`, `${packed.sha256}  ${basename(out)}\n`)
      if (packed.detachedSignature) writeFileSync(`${out}.sig`, `${packed.detachedSignature}\n`)
      print(`wrote ${out} (${packed.name} ${packed.version}, ${packed.files} files, ${packed.archive.length} bytes)`)
      print(`sha256 ${packed.sha256} (also in ${basename(out)}.sha256)`)
      print(packed.keyId ? `signed with key ${packed.keyId}; ${basename(out)}.sig holds the signature for an index's "signature" field` : 'unsigned: pass --key to sign it')
    })

  plugins.command('verify').description('check an archive as the scheduler would: safe to extract, manifest, signature, .sha256 file')
    .argument('<archive>', 'a .tgz or .zip')
    .option('--json', 'print JSON')
    .action(async (archive: string, opts: { json?: boolean }, cmd: Command) => {
      const config = configFromCommand(cmd)
      if (!existsSync(archive)) throw new AppError('USAGE', `${archive} does not exist; expected a .tgz or .zip file.`, { exitCode: ExitCode.usage })
      const report = await verifyArchive(archive, { limits: config.limits, trust: createTrust(config.trust) })
      if (!report.ok) process.exitCode = ExitCode.runtime
      if (opts.json) return void printJson(report)
      print(`${archive}\n  sha256 ${report.sha256}`)
      if (report.checksum) print(report.checksum.ok ? `  ${basename(report.checksum.file)}: matches` : `  CHECKSUM_MISMATCH: ${basename(report.checksum.file)} says ${report.checksum.expected ?? '(no sha256 in it)'}; the archive changed after it was packed`)
      if (!report.plugins.length) print('  no plugin in the archive')
      for (const p of report.plugins) {
        const sig = p.signature ? `signature ${p.signature.state}${p.signature.keyId ? ` (key ${p.signature.keyId})` : ''}` : 'not checked'
        print(`  ${p.name} ${p.version}: ${sig}`)
        for (const w of p.warnings) print(`    ${w.severity} ${w.code}: ${w.message}`)
      }
      print(report.ok ? 'OK: it would load under this trust config' : 'FAILED: it would not load as it is (see above)')
    })
}
