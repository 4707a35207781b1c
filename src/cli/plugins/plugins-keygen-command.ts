import type { Command } from 'commander'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { generateSigningKey } from '../../signing/signing-keys.ts'
import { print } from '../print-output.ts'
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './signing-key-files.ts'

/** `app plugins keygen [--out dir]`: an ed25519 key pair for signing plugins; never overwrites a key. */
export function addPluginsKeygenCommand(plugins: Command): void {
  plugins
    .command('keygen')
    .description(`write an ed25519 key pair for signing plugins (${PRIVATE_KEY_FILE}, ${PUBLIC_KEY_FILE})`)
    .option('--out <dir>', 'folder to write the two files to', '.')
    .action((opts: { out: string }) => {
      const dir = resolve(opts.out)
      const privateFile = join(dir, PRIVATE_KEY_FILE)
      const publicFile = join(dir, PUBLIC_KEY_FILE)
      for (const f of [privateFile, publicFile]) {
        if (existsSync(f))
          throw new AppError(
            'KEY_EXISTS',
            `${f} already exists; keygen never overwrites a key. Move it away or choose another --out folder.`,
            { exitCode: ExitCode.runtime },
          )
      }
      mkdirSync(dir, { recursive: true })
      const key = generateSigningKey()
      writeFileSync(privateFile, key.privatePem, { mode: 0o600, flag: 'wx' })
      writeFileSync(publicFile, `${key.publicBase64}\n`, { mode: 0o644, flag: 'wx' })
      print(`wrote ${privateFile} (private, mode 0600: keep it secret, sign with \`app plugins pack <dir> --key ${privateFile}\`)`)
      print(`wrote ${publicFile}`)
      print(`key id: ${key.keyId}`)
      print(
        `\nTo trust it, add the public key to app.toml:\n  [trust]\n  publicKeys = ["${key.publicBase64}"]\nor set APP_TRUST_PUBLIC_KEYS=${key.publicBase64}`,
      )
    })
}
