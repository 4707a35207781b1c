import type { S3Client } from '@aws-sdk/client-s3'
import type { Readable } from 'node:stream'
import { basename } from 'node:path'
import type { ArchiveLimits } from '../archive/archive-limits.ts'
import { archiveType } from '../archive/extract-archive.ts'
import type { BundleLimits } from '../bundle/read-bundle.ts'
import type { SourceConfig } from '../config/config-schema.ts'
import type { Trust } from '../signing/create-trust.ts'
import { parseDuration } from './parse-duration.ts'
import { redactUrl } from '../config/redact-url.ts'
import { rebuild, scanArchives, unreachableMessage, type ArchiveRecord, type RemoteItem } from './remote-archives.ts'
import { DownloadError, saveDownload } from './save-download.ts'
import type { Candidate, Notice, PluginSource, ScanContext, ScanResult } from './source-types.ts'

export type S3SourceConfig = Extract<SourceConfig, { type: 's3' }>

interface S3State {
  lastSuccess: string | null
  archives: Record<string, ArchiveRecord>
}

/**
 * An S3 (or S3-compatible) plugin source: every .zip/.tgz object under
 * bucket/prefix. Credentials come from the AWS SDK's default chain
 * (environment, shared profile, instance role), never from app.toml. The
 * listing's ETag says what changed; integrity is our own sha256.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the source contract's one object: scan and its listing state
export function createS3Source(
  config: S3SourceConfig,
  options: { limits: BundleLimits & Partial<ArchiveLimits>; trust: Trust },
): PluginSource {
  // The AWS SDK takes ~80 ms to import: load it on first use, so roles and commands without S3 never pay it.
  let sdk: Promise<{ sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }> | null = null
  const s3 = () =>
    (sdk ??= import('@aws-sdk/client-s3').then((mod) => ({
      sdk: mod,
      client: new mod.S3Client({
        region: config.region,
        endpoint: config.endpoint,
        forcePathStyle: config.forcePathStyle,
        maxAttempts: 2,
        requestHandler: { connectionTimeout: config.connectTimeoutMs, requestTimeout: config.timeoutMs },
      }),
    })))
  const shown = `s3://${config.bucket}/${config.prefix}`
  const endpoint = config.endpoint ? ` at ${redactUrl(config.endpoint)}` : ''
  const key = `s3:${shown}${endpoint}`

  async function list(): Promise<Array<{ key: string; etag: string | null; size: number }>> {
    const objects: Array<{ key: string; etag: string | null; size: number }> = []
    const {
      sdk: { paginateListObjectsV2 },
      client,
    } = await s3()
    const pages = paginateListObjectsV2({ client }, { Bucket: config.bucket, Prefix: config.prefix || undefined })
    for await (const page of pages) {
      for (const o of page.Contents ?? [])
        if (o.Key && archiveType(o.Key)) objects.push({ key: o.Key, etag: o.ETag ?? null, size: o.Size ?? 0 })
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : 1))
  }

  function itemFor(object: { key: string; etag: string | null; size: number }): RemoteItem {
    const origin = `s3://${config.bucket}/${object.key}`
    return {
      id: object.key,
      origin,
      name: basename(object.key),
      etag: object.etag,
      async download(spill) {
        if (object.size > config.maxBytes)
          throw new DownloadError(
            'too-large',
            `${origin} is ${object.size} bytes, over the limit of ${config.maxBytes} bytes (maxBytes of the source); it was not downloaded. Raise maxBytes for this source if the object is expected to be that large.`,
          )
        const abortSignal = AbortSignal.timeout(config.timeoutMs)
        try {
          const {
            sdk: { GetObjectCommand },
            client,
          } = await s3()
          const res = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: object.key }), { abortSignal })
          const saved = await saveDownload(res.Body as Readable, config.maxBytes, origin, spill)
          return { notModified: false, etag: res.ETag ?? object.etag, sha256: saved.sha256, body: saved.body }
        } catch (error) {
          if (error instanceof DownloadError) throw error
          throw new DownloadError(
            'unreachable',
            `${origin}: ${abortSignal.aborted ? `no complete answer within ${config.timeoutMs} ms (timeoutMs of the source)` : describe(error)}.`,
            { cause: error },
          )
        }
      },
    }
  }

  return {
    key,
    kind: 's3',
    allowDowngrade: config.allowDowngrade,
    intervalMs: parseDuration(config.interval),
    async scan(context?: ScanContext): Promise<ScanResult> {
      const previous: S3State = {
        lastSuccess: typeof context?.state?.lastSuccess === 'string' ? context.state.lastSuccess : null,
        archives: (context?.state?.archives as S3State['archives']) ?? {},
      }
      const store = context?.store ?? null
      let objects: Awaited<ReturnType<typeof list>>
      try {
        objects = await list()
      } catch (error) {
        const candidates: Candidate[] = []
        for (const record of Object.values(previous.archives))
          candidates.push(...((await rebuild(record, { kind: 's3', trust: options.trust, store })) ?? []))
        const notice: Notice = {
          key: `SOURCE_UNREACHABLE:${key}`,
          code: 'SOURCE_UNREACHABLE',
          severity: 'warning',
          plugin: null,
          version: null,
          detail: shown,
          message: unreachableMessage(`cannot list ${shown}${endpoint}: ${describe(error)}.`, previous.lastSuccess),
        }
        return { candidates, notices: [notice], reachable: false }
      }
      const found = await scanArchives(objects.map(itemFor), {
        kind: 's3',
        limits: options.limits,
        trust: options.trust,
        store,
        previous: previous.archives,
        lastSuccess: previous.lastSuccess,
      })
      const state: S3State = { lastSuccess: found.unreachable ? previous.lastSuccess : new Date().toISOString(), archives: found.archives }
      return { candidates: found.candidates, notices: found.notices, reachable: true, state: { ...state } }
    },
  }
}

/** An SDK error as a user can act on it: its name, message and a hint for credential problems. */
function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''
  const hint = /Credential|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/i.test(`${e.name} ${e.message}`)
    ? '; check the credentials of the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the instance role) and that they allow s3:ListBucket and s3:GetObject'
    : ''
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}${status}${hint}`
}
