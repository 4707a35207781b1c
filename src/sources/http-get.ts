import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { TLSSocket } from 'node:tls'
import { APP_VERSION } from '../version.ts'
import type { ArchiveInput } from '../archive/archive-tree.ts'
import { redactUrl } from '../config/redact-url.ts'
import { DownloadError, saveDownload, type SpillFile } from './save-download.ts'

export const MAX_REDIRECTS = 5

export interface HttpGetOptions {
  /** Sent to the configured origin only: dropped when a redirect leaves it. */
  headers: Record<string, string>
  connectTimeoutMs: number
  /** The whole exchange: redirects, headers and body. A stalled server fails here. */
  timeoutMs: number
  maxBytes: number
  etag?: string | null
}

export type HttpGetResult =
  | { notModified: true }
  | { notModified: false; etag: string | null; sha256: string; size: number; body: ArchiveInput }

/**
 * GET url (into memory, or a spill file when large) with node:http(s): connect and total timeouts, a
 * streaming size cap, If-None-Match, and at most five redirects to http(s)
 * URLs, never from https down to http. TLS certificates are always verified (rejectUnauthorized is set, so
 * NODE_TLS_REJECT_UNAUTHORIZED cannot turn it off; private CAs come in
 * through NODE_EXTRA_CA_CERTS). Failures throw DownloadError with a message
 * that names the URL (redacted: no credentials, no query values) and never a header value.
 */
export async function httpGet(url: string, spill: SpillFile, options: HttpGetOptions): Promise<HttpGetResult> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs)
  const shown = redactUrl(url)
  try {
    let current = new URL(url) // credentials travel in headers, never in the URL
    current.username = ''
    current.password = ''
    const origin = current.origin
    for (let hop = 0; ; hop++) {
      const sameOrigin = current.origin === origin
      const headers: Record<string, string> = {
        'user-agent': `app/${APP_VERSION}`,
        'accept-encoding': 'identity',
        ...(sameOrigin ? options.headers : {}),
      }
      if (options.etag) headers['if-none-match'] = options.etag
      const res = await request(current, headers, options.connectTimeoutMs, controller.signal, shown)
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        res.resume()
        if (hop >= MAX_REDIRECTS)
          throw new DownloadError(
            'unreachable',
            `${shown}: more than ${MAX_REDIRECTS} redirects; the last one pointed to ${redactUrl(new URL(res.headers.location, current))}. Point the source at the final URL.`,
          )
        const next = new URL(res.headers.location, current)
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          throw new DownloadError('unreachable', `${shown}: redirected to a ${next.protocol} URL; only http and https are followed.`)
        // Following it would send the request, and trust the answer, without TLS: a downgrade anyone on the path could exploit.
        if (current.protocol === 'https:' && next.protocol === 'http:')
          throw new DownloadError(
            'unreachable',
            `${shown}: redirected from https to plain http (${redactUrl(next)}); a redirect that drops TLS is not followed. Serve the files over https, or point the source at the final URL if plain http is really intended.`,
          )
        current = next
        continue
      }
      if (status === 304) {
        res.resume()
        return { notModified: true }
      }
      if (status !== 200) {
        res.resume()
        throw new DownloadError(
          'unreachable',
          `${shown}: the server answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${status === 401 || status === 403 ? '; check the username/password or headers configured for this source' : ''}.`,
        )
      }
      const declared = Number(res.headers['content-length'])
      if (declared > options.maxBytes) {
        res.destroy()
        throw new DownloadError(
          'too-large',
          `${shown} is ${declared} bytes, over the limit of ${options.maxBytes} bytes (maxBytes of the source); it was not downloaded. Raise maxBytes for this source if the file is expected to be that large.`,
        )
      }
      const saved = await saveDownload(res, options.maxBytes, shown, spill)
      const etag = typeof res.headers.etag === 'string' ? res.headers.etag : null
      return { notModified: false, etag, ...saved }
    }
  } catch (error) {
    if (controller.signal.aborted)
      throw new DownloadError('unreachable', `${shown}: no complete answer within ${options.timeoutMs} ms (timeoutMs of the source).`, {
        cause: error,
      })
    if (error instanceof DownloadError) throw error
    throw new DownloadError('unreachable', `${shown}: ${(error as Error).message}.`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}

function request(
  url: URL,
  headers: Record<string, string>,
  connectTimeoutMs: number,
  signal: AbortSignal,
  shown: string,
  retry = true,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get
    const req = get(url, { headers, signal, rejectUnauthorized: true }, resolve)
    req.on('error', (error) => {
      // A kept-alive connection the server closed meanwhile: one fresh attempt, as browsers do.
      if (retry && req.reusedSocket && !signal.aborted && (error as NodeJS.ErrnoException).code === 'ECONNRESET')
        resolve(request(url, headers, connectTimeoutMs, signal, shown, false))
      else reject(error)
    })
    req.on('socket', (socket) => {
      if (!socket.connecting) return
      const timer = setTimeout(
        () =>
          req.destroy(
            new DownloadError('unreachable', `${shown}: could not connect within ${connectTimeoutMs} ms (connectTimeoutMs of the source)`),
          ),
        connectTimeoutMs,
      )
      const done = () => clearTimeout(timer)
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', done)
      socket.once('close', done)
      ;(socket as TLSSocket).once('error', done)
    })
  })
}
