import { verify, type KeyObject } from 'node:crypto'
import type { BundleFile, SignatureState, Warning } from '../store/store-types.ts'
import type { Trust } from './create-trust.ts'
import { SIGNATURE_FILE, SIGNATURE_FORMAT, signedPayload } from './signature-manifest.ts'
import { keyIdOf, parsePublicKey } from './signing-keys.ts'
import type { WarningCode } from '../errors/codes.ts'

export interface SignatureCheck {
  signature: SignatureState
  /** SIGNATURE_INVALID / SIGNATURE_UNTRUSTED / SIGNATURE_MISSING / CHECKSUM_MISMATCH, with the severity the trust config gives them. */
  warnings: Warning[]
}

const HEX64 = /^[0-9a-f]{64}$/

/**
 * Checks a plugin's files against its SIGNATURE.json and the trusted keys.
 * Changed files or manifest, or a signature for another name or version:
 * SIGNATURE_INVALID (never loads). Unknown key: SIGNATURE_UNTRUSTED. No
 * signature: SIGNATURE_MISSING, an error only when trust.requireSignature is
 * on, info when keys are configured, else silent. `version` is the manifest's
 * (null when plugin.json is invalid: then nothing is compared).
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one decision table over a signature's states; each branch is a line or two
export function checkSignature(input: {
  plugin: string
  version: string | null
  files: BundleFile[]
  manifestText: string | null
  trust: Trust
}): SignatureCheck {
  const { plugin, trust } = input
  const warn = (code: WarningCode, severity: Warning['severity'], message: string, detail?: string): Warning => ({
    code,
    severity,
    plugin,
    version: null,
    message,
    detail: detail ?? SIGNATURE_FILE,
  })
  const missing = (why: string): SignatureCheck => {
    const fix = `Sign it: \`app plugins pack <dir> --key <private key>\` and install the .tgz.`
    const warnings = trust.requireSignature
      ? [
          warn(
            'SIGNATURE_MISSING',
            'error',
            `plugin ${plugin} is not signed (${why}) and trust.requireSignature is on, so it is not loaded. ${fix}`,
          ),
        ]
      : trust.keys.size
        ? [warn('SIGNATURE_MISSING', 'info', `plugin ${plugin} is not signed (${why}). ${fix}`)]
        : []
    return { signature: { state: 'missing', keyId: null }, warnings }
  }
  const invalid = (why: string, keyId: string | null = null): SignatureCheck => ({
    signature: { state: 'invalid', keyId },
    warnings: [
      warn(
        'SIGNATURE_INVALID',
        'error',
        `plugin ${plugin}: ${why}, so it is not loaded. Re-pack and re-sign it from the original source (\`app plugins pack\`), or find out who changed it.`,
      ),
    ],
  })

  if (input.manifestText === null) return missing(`no ${SIGNATURE_FILE}`)
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(input.manifestText) as Record<string, unknown>
  } catch (e) {
    return invalid(`${SIGNATURE_FILE} is not valid JSON (${(e as Error).message})`)
  }
  const files = doc?.files as Record<string, unknown> | undefined
  if (
    typeof doc !== 'object' ||
    doc === null ||
    doc.format !== SIGNATURE_FORMAT ||
    typeof files !== 'object' ||
    files === null ||
    Array.isArray(files) ||
    !Object.values(files).every((v) => typeof v === 'string' && HEX64.test(v))
  ) {
    return invalid(`${SIGNATURE_FILE} is not an ${SIGNATURE_FORMAT} manifest (expected {"format", "files": {path: sha256}, ...})`)
  }
  const listed = files as Record<string, string>
  const differences = compareFiles(
    input.files.filter((f) => f.path !== SIGNATURE_FILE),
    listed,
  )
  const signed = doc.signature !== undefined
  if (differences) {
    if (signed) return invalid(`files changed since it was signed (${differences})`, typeof doc.keyId === 'string' ? doc.keyId : null)
    return {
      signature: { state: 'missing', keyId: null },
      warnings: [
        warn(
          'CHECKSUM_MISMATCH',
          'error',
          `plugin ${plugin}: files do not match the sha256 list in ${SIGNATURE_FILE} (${differences}), so it is not loaded. Re-pack it (\`app plugins pack\`) or remove ${SIGNATURE_FILE}.`,
        ),
      ],
    }
  }
  if (!signed) return missing(`${SIGNATURE_FILE} lists file hashes but has no signature`)
  if (typeof doc.signature !== 'string' || typeof doc.keyId !== 'string' || typeof doc.publicKey !== 'string')
    return invalid(`${SIGNATURE_FILE} has a signature but no keyId or publicKey`)
  if (typeof doc.name !== 'string' || typeof doc.version !== 'string') {
    return {
      signature: { state: 'invalid', keyId: doc.keyId },
      warnings: [
        warn(
          'SIGNATURE_INVALID',
          'error',
          `plugin ${plugin}: ${SIGNATURE_FILE} does not name the plugin and version it signs (it was packed by an older \`app plugins pack\`), so it is not loaded. Re-pack it with the current \`app plugins pack <dir> --key <private key>\`, which signs the name and version too.`,
        ),
      ],
    }
  }
  let embedded: KeyObject
  try {
    embedded = parsePublicKey(doc.publicKey)
  } catch (e) {
    return invalid(`${SIGNATURE_FILE} has an unreadable publicKey (${(e as Error).message})`, doc.keyId)
  }
  if (keyIdOf(embedded) !== doc.keyId)
    return invalid(`${SIGNATURE_FILE} names key ${doc.keyId} but holds the public key of ${keyIdOf(embedded)}`, doc.keyId)
  const payload = signedPayload({ name: doc.name, version: doc.version }, listed)
  const signature = Buffer.from(doc.signature, 'base64')
  const trusted = trust.keys.get(doc.keyId)
  if (!verify(null, payload, trusted ?? embedded, signature))
    return invalid(`the signature in ${SIGNATURE_FILE} does not match its file list (the manifest was changed after signing)`, doc.keyId)
  if (input.version !== null && (doc.name !== plugin || doc.version !== input.version)) {
    return invalid(`${SIGNATURE_FILE} signs ${doc.name} ${doc.version}, but plugin.json says ${plugin} ${input.version}`, doc.keyId)
  }
  if (!trusted) {
    const severity = trust.requireSignature ? 'error' : 'warning'
    return {
      signature: { state: 'untrusted', keyId: doc.keyId },
      warnings: [
        warn(
          'SIGNATURE_UNTRUSTED',
          severity,
          `plugin ${plugin} is signed by key ${doc.keyId}, which is not in trust.publicKeys${trust.requireSignature ? ', and trust.requireSignature is on, so it is not loaded' : ''}. If you trust the signer, add their public key (base64 ${doc.publicKey}) to trust.publicKeys.`,
        ),
      ],
    }
  }
  return { signature: { state: 'valid', keyId: doc.keyId }, warnings: [] }
}

/** "changed a.js; added b.js; removed c.js" or null when the files match the list. */
function compareFiles(actual: BundleFile[], listed: Record<string, string>): string | null {
  const changed: string[] = []
  const added: string[] = []
  const have = new Set<string>()
  for (const f of actual) {
    have.add(f.path)
    const want = listed[f.path]
    if (want === undefined) added.push(f.path)
    else if (want !== f.sha256) changed.push(f.path)
  }
  const removed = Object.keys(listed).filter((p) => !have.has(p))
  const parts = [
    ['changed', changed],
    ['added', added],
    ['removed', removed],
  ] as const
  const text = parts
    .filter(([, list]) => list.length)
    .map(([what, list]) => `${what} ${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`)
  return text.length ? text.join('; ') : null
}
