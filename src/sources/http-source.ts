import { verify } from 'node:crypto'
import { basename } from 'node:path'
import { z } from 'zod'
import type { ArchiveLimits } from '../archive/archive-limits.ts'
import { archiveType } from '../archive/extract-archive.ts'
import type { BundleLimits } from '../bundle/read-bundle.ts'
import type { SourceConfig } from '../config/config-schema.ts'
import { jsonErrorPosition } from '../config/describe-found.ts'
import type { Trust } from '../signing/create-trust.ts'
import { httpGet } from './http-get.ts'
import { redactedKey, redactUrl } from '../config/redact-url.ts'
import { parseDuration } from './parse-duration.ts'
import { rebuild, scanArchives, unreachableMessage, type ArchiveRecord, type RemoteItem } from './remote-archives.ts'
import { createSecretHeaders } from './remote-secrets.ts'
import { DownloadError, MEMORY_LIMIT_BYTES, type SpillFile } from './save-download.ts'
import type { Candidate, Notice, PluginSource, ScanContext, ScanResult } from './source-types.ts'
import type { WarningCode } from '../errors/codes.ts'

export type HttpSourceConfig = Extract<SourceConfig, { type: 'http' }>

const INDEX_MAX_BYTES = MEMORY_LIMIT_BYTES // an index is held in memory

const indexSchema = z.object({
  plugins: z.array(
    z.object({
      url: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
      signature: z.string().optional(),
    }),
  ),
})
type IndexEntry = z.infer<typeof indexSchema>['plugins'][number]

interface HttpState {
  lastSuccess: string | null
  index: { etag: string | null; entries: IndexEntry[] } | null
  archives: Record<string, ArchiveRecord>
}

/**
 * An HTTP(S) plugin source: a URL to one .zip/.tgz archive (or any URL with
 * a sha256 pin), or to an index JSON {"plugins": [{"url", "sha256",
 * "signature"?}]} whose archive URLs may be relative to it. ETags and the
 * last good result are kept in the store, so an unchanged archive is not
 * downloaded again, also after a restart.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the source contract's one object: scan and its download state
export function createHttpSource(
  config: HttpSourceConfig,
  options: { where: string; limits: BundleLimits & Partial<ArchiveLimits>; trust: Trust; env?: NodeJS.ProcessEnv },
): PluginSource {
  const url = new URL(config.url)
  const shown = redactUrl(url)
  const headers = createSecretHeaders(config, options.where, options.env)
  const single = archiveType(url.pathname) !== null || config.sha256 !== undefined
  const key = `http:${redactedKey(url)}`
  const request = (target: URL, spill: SpillFile, etag: string | null, maxBytes = config.maxBytes) =>
    httpGet(target.toString(), spill, {
      headers: target.origin === url.origin ? headers() : {},
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.timeoutMs,
      maxBytes,
      etag,
    })

  const itemFor = (target: URL, sha256: string | undefined, signature?: string): RemoteItem => {
    const origin = redactUrl(target)
    return {
      id: redactedKey(target),
      origin,
      sha256,
      name: decodeURIComponent(basename(target.pathname)) || 'archive',
      download: (spill, etag) => request(target, spill, etag),
      verify: signature === undefined ? undefined : (sha) => checkDetachedSignature(origin, sha, signature, options.trust),
    }
  }

  return {
    key,
    kind: 'http',
    allowDowngrade: config.allowDowngrade,
    intervalMs: parseDuration(config.interval),
    async scan(context?: ScanContext): Promise<ScanResult> {
      const previous = readState(context?.state ?? null)
      const scanOptions = {
        kind: 'http',
        limits: options.limits,
        trust: options.trust,
        store: context?.store ?? null,
        previous: previous.archives,
        lastSuccess: previous.lastSuccess,
      }
      let index: HttpState['index'] = null
      let items: RemoteItem[]
      try {
        if (single) {
          items = [itemFor(url, config.sha256)]
        } else {
          index = await fetchIndex(previous.index)
          items = index.entries.map((e) => itemFor(new URL(e.url, url), e.sha256, e.signature))
        }
      } catch (error) {
        if (!(error instanceof DownloadError)) throw error
        return unreachable(error.message, previous, context)
      }
      const found = await scanArchives(items, scanOptions)
      const lastSuccess = found.unreachable ? previous.lastSuccess : new Date().toISOString()
      const state: HttpState = { lastSuccess, index: index && keepable(index) ? index : null, archives: found.archives }
      return { candidates: found.candidates, notices: found.notices, reachable: !(single && found.unreachable), state: { ...state } }
    },
  }

  /** The index, or the last one when the server says 304 Not Modified. */
  async function fetchIndex(last: HttpState['index']): Promise<NonNullable<HttpState['index']>> {
    const noSpill = async (): Promise<string> => {
      throw new Error('unreachable: the index cap is below the memory limit')
    }
    const got = await request(url, noSpill, last?.etag ?? null, Math.min(config.maxBytes, INDEX_MAX_BYTES))
    if (got.notModified) {
      if (last) return last
      throw new DownloadError('unreachable', `${shown} answered 304 Not Modified to a request without If-None-Match.`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(('data' in got.body ? got.body.data : Buffer.alloc(0)).toString('utf8'))
    } catch (e) {
      // Not the parser's message: it quotes the body, which may hold signed URLs.
      throw new DownloadError(
        'unreachable',
        `${shown} is not an archive URL (.zip, .tgz) and not a valid index JSON${jsonErrorPosition(e)}. Serve {"plugins": [{"url", "sha256"}]} or point the source at an archive.`,
      )
    }
    const result = indexSchema.safeParse(parsed)
    if (!result.success) {
      const issue = result.error.issues[0]!
      throw new DownloadError(
        'unreachable',
        `${shown}: index field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}. Expected {"plugins": [{"url", "sha256", "signature"?}]}.`,
      )
    }
    for (const e of result.data.plugins) {
      const target = new URL(e.url, url)
      if (target.protocol !== 'http:' && target.protocol !== 'https:')
        throw new DownloadError('unreachable', `${shown}: index entry ${JSON.stringify(redactUrl(target))} is not an http(s) URL.`)
    }
    return { etag: got.etag, entries: result.data.plugins }
  }

  /** Keeps the last good plugins, says so, and leaves the saved state as it was. */
  async function unreachable(message: string, previous: HttpState, context?: ScanContext): Promise<ScanResult> {
    const candidates: Candidate[] = []
    for (const record of Object.values(previous.archives))
      candidates.push(...((await rebuild(record, { kind: 'http', trust: options.trust, store: context?.store ?? null })) ?? []))
    const notice: Notice = {
      key: `SOURCE_UNREACHABLE:${key}`,
      code: 'SOURCE_UNREACHABLE',
      severity: 'warning',
      plugin: null,
      version: null,
      message: unreachableMessage(message, previous.lastSuccess),
      detail: shown,
    }
    return { candidates, notices: [notice], reachable: false }
  }
}

/**
 * Whether the index may be saved in plugins.db for the next If-None-Match: not when an entry URL holds user
 * info or a query (a signed URL's token, an api_key), which must not be stored. Such an index is fetched whole
 * on every poll; its sha256 pins still spare the archives.
 */
function keepable(index: NonNullable<HttpState['index']>): boolean {
  return index.entries.every((e) => {
    const u = new URL(e.url, 'http://relative.invalid/')
    return !u.username && !u.password && !u.search
  })
}

function readState(raw: Record<string, unknown> | null): HttpState {
  return {
    lastSuccess: typeof raw?.lastSuccess === 'string' ? raw.lastSuccess : null,
    index: (raw?.index as HttpState['index']) ?? null,
    archives: (raw?.archives as HttpState['archives']) ?? {},
  }
}

/**
 * The index's optional detached signature of an archive: "<keyId>:<base64
 * ed25519 signature of the archive's sha256 hex>", as `app plugins pack
 * --key` writes to <archive>.sig. It must verify with a trusted key.
 */
export function checkDetachedSignature(origin: string, sha256: string, signature: string, trust: Trust): Notice[] {
  const notice = (code: WarningCode, severity: Notice['severity'], message: string): Notice => ({
    key: `${code}:${origin}`,
    code,
    severity,
    plugin: null,
    version: null,
    message,
    detail: origin,
  })
  const match = /^([0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/.exec(signature.trim())
  if (!match)
    return [
      notice(
        'SIGNATURE_INVALID',
        'error',
        `${origin}: the index's signature is not "<keyId>:<base64>" (as in the .sig file \`app plugins pack --key\` writes); nothing from it was published. Fix the index entry.`,
      ),
    ]
  const key = trust.keys.get(match[1]!)
  if (!key) {
    return [
      notice(
        'SIGNATURE_UNTRUSTED',
        trust.requireSignature ? 'error' : 'warning',
        `${origin}: the index signs it with key ${match[1]}, which is not in trust.publicKeys${trust.requireSignature ? ', and trust.requireSignature is on, so nothing from it was published' : ''}. Add the key to trust.publicKeys if you trust the signer.`,
      ),
    ]
  }
  if (!verify(null, Buffer.from(sha256), key, Buffer.from(match[2]!, 'base64'))) {
    return [
      notice(
        'SIGNATURE_INVALID',
        'error',
        `${origin}: the index's signature does not match the archive (sha256 ${sha256}); nothing from it was published. Re-sign the archive or find out who changed it.`,
      ),
    ]
  }
  return []
}
