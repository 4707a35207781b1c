import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

/** A key's short, stable name: the first 16 hex digits of sha256 of the raw 32-byte public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16)
}

/** The raw 32 bytes of an ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
}

/**
 * Reads an ed25519 public key written either as base64 of the raw 32 bytes
 * (what `app plugins keygen` prints) or as an SPKI PEM block.
 */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim()
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPublicKey(trimmed)
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an ed25519 key, found ${key.asymmetricKeyType}`)
    return key
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    throw new Error(
      `expected base64 of a raw 32-byte ed25519 key (44 characters ending in "=") or a PEM block; found ${trimmed.length} characters`,
    )
  }
  const raw = Buffer.from(trimmed, 'base64')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
}

/** Reads a PKCS#8 PEM ed25519 private key, as `app plugins keygen` writes it. */
export function parsePrivateKey(text: string): KeyObject {
  const key = createPrivateKey(text)
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an ed25519 private key, found ${key.asymmetricKeyType}`)
  return key
}

/** A new ed25519 key pair: private key as PKCS#8 PEM, public key as base64 of its raw bytes. */
export function generateSigningKey(): { privatePem: string; publicBase64: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicBase64: rawPublicKey(publicKey).toString('base64'),
    keyId: keyIdOf(publicKey),
  }
}
