import type { KeyObject } from 'node:crypto'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { keyIdOf, parsePublicKey } from './signing-keys.ts'

/** The configured trust: public keys by key id, and whether unsigned plugins are refused. */
export interface Trust {
  keys: Map<string, KeyObject>
  requireSignature: boolean
}

export const NO_TRUST: Trust = { keys: new Map(), requireSignature: false }

/** Parses trust.publicKeys; a bad key is a config error (exit 2) naming its index. */
export function createTrust(config: { publicKeys: string[]; requireSignature: boolean }): Trust {
  const keys = new Map<string, KeyObject>()
  config.publicKeys.forEach((text, i) => {
    try {
      const key = parsePublicKey(text)
      keys.set(keyIdOf(key), key)
    } catch (cause) {
      throw new AppError(
        'CONFIG_INVALID',
        `invalid configuration: trust.publicKeys.${i}: ${(cause as Error).message}; found ${JSON.stringify(text.slice(0, 60))}. Use the public key line \`app plugins keygen\` printed.`,
        { exitCode: ExitCode.usage, cause },
      )
    }
  })
  return { keys, requireSignature: config.requireSignature }
}
