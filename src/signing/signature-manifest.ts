import { sign, type KeyObject } from 'node:crypto'
import { keyIdOf, rawPublicKey } from './signing-keys.ts'
import { createPublicKey } from 'node:crypto'

/** The signed manifest inside a plugin: the plugin's name and version, every other file's sha256, and optionally an ed25519 signature. */
export const SIGNATURE_FILE = 'SIGNATURE.json'
export const SIGNATURE_FORMAT = 'app-plugin-signature/1'

/** What a signature vouches for: this plugin, at this version (so an old release cannot pass for a new one). */
export interface SignedPlugin {
  name: string
  version: string
}

export interface SignatureManifest {
  format: typeof SIGNATURE_FORMAT
  /** The plugin and version signed; a signature whose name or version differ from plugin.json is invalid. */
  name: string
  version: string
  /** path -> sha256 of every file of the plugin except SIGNATURE.json, sorted by path. */
  files: Record<string, string>
  /** Set when signed: first 16 hex of sha256 of the raw public key. */
  keyId?: string
  /** Base64 raw public key: lets `app plugins verify` check a signature before the key is trusted. */
  publicKey?: string
  /** Base64 ed25519 signature of signedPayload(plugin, files). */
  signature?: string
}

/** The exact bytes signed: the format, name, version and the sorted file map as compact JSON. */
export function signedPayload(plugin: SignedPlugin, files: Record<string, string>): Buffer {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return Buffer.from(JSON.stringify({ format: SIGNATURE_FORMAT, name: plugin.name, version: plugin.version, files: sorted }))
}

/** SIGNATURE.json for this plugin's files, signed when a private key is given. */
export function createSignatureManifest(
  plugin: SignedPlugin,
  files: Array<{ path: string; sha256: string }>,
  privateKey?: KeyObject,
): SignatureManifest {
  const map = Object.fromEntries(
    files
      .filter((f) => f.path !== SIGNATURE_FILE)
      .map((f) => [f.path, f.sha256])
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  )
  const manifest: SignatureManifest = { format: SIGNATURE_FORMAT, name: plugin.name, version: plugin.version, files: map }
  if (privateKey) {
    const publicKey = createPublicKey(privateKey)
    manifest.keyId = keyIdOf(publicKey)
    manifest.publicKey = rawPublicKey(publicKey).toString('base64')
    manifest.signature = sign(null, signedPayload(plugin, map), privateKey).toString('base64')
  }
  return manifest
}
