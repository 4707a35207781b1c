import { sign, type KeyObject } from 'node:crypto'
import { keyIdOf, rawPublicKey } from './signing-keys.ts'
import { createPublicKey } from 'node:crypto'

/** The signed manifest inside a plugin: every other file's sha256, and optionally an ed25519 signature. */
export const SIGNATURE_FILE = 'SIGNATURE.json'
export const SIGNATURE_FORMAT = 'app-plugin-signature/1'

export interface SignatureManifest {
  format: typeof SIGNATURE_FORMAT
  /** path -> sha256 of every file of the plugin except SIGNATURE.json, sorted by path. */
  files: Record<string, string>
  /** Set when signed: first 16 hex of sha256 of the raw public key. */
  keyId?: string
  /** Base64 raw public key: lets `app plugins verify` check a signature before the key is trusted. */
  publicKey?: string
  /** Base64 ed25519 signature of signedPayload(files). */
  signature?: string
}

/** The exact bytes signed: the format and the sorted file map as compact JSON. */
export function signedPayload(files: Record<string, string>): Buffer {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return Buffer.from(JSON.stringify({ format: SIGNATURE_FORMAT, files: sorted }))
}

/** SIGNATURE.json for these files, signed when a private key is given. */
export function createSignatureManifest(files: Array<{ path: string; sha256: string }>, privateKey?: KeyObject): SignatureManifest {
  const map = Object.fromEntries(files.filter((f) => f.path !== SIGNATURE_FILE).map((f) => [f.path, f.sha256]).sort(([a], [b]) => (a! < b! ? -1 : 1)))
  const manifest: SignatureManifest = { format: SIGNATURE_FORMAT, files: map }
  if (privateKey) {
    const publicKey = createPublicKey(privateKey)
    manifest.keyId = keyIdOf(publicKey)
    manifest.publicKey = rawPublicKey(publicKey).toString('base64')
    manifest.signature = sign(null, signedPayload(map), privateKey).toString('base64')
  }
  return manifest
}
