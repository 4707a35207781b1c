import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpFixture {
  base: string
  url(path: string): string
  /** Serves body at path with an ETag (a sha256 of the body) and answers If-None-Match with 304. */
  serve(path: string, body: Buffer | string, headers?: Record<string, string>): void
  handle(path: string, handler: Handler): void
  remove(path: string): void
  /** Every request seen: path, status sent and request headers. */
  requests: Array<{ path: string; status: number; headers: IncomingMessage['headers'] }>
  downloads(path: string): number
  close(): Promise<void>
}

/** A real HTTP server on 127.0.0.1 (random port) that serves what a test tells it to; closed after the test. */
export async function startHttpServer(t: { onTestFinished(fn: () => unknown): void }): Promise<HttpFixture> {
  const handlers = new Map<string, Handler>()
  const requests: HttpFixture['requests'] = []
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname
    res.on('finish', () => requests.push({ path, status: res.statusCode, headers: req.headers }))
    const handler = handlers.get(path)
    if (!handler) return void res.writeHead(404).end('not found')
    handler(req, res)
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    server.closeAllConnections()
    await new Promise<void>((res) => server.close(() => res()))
  }
  t.onTestFinished(close)
  return {
    base,
    url: (path) => base + path,
    serve(path, body, headers = {}) {
      const data = Buffer.from(body)
      const etag = `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`
      handlers.set(path, (req, res) => {
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
        res.writeHead(200, { etag, 'content-length': data.length, ...headers }).end(data)
      })
    },
    handle: (path, handler) => void handlers.set(path, handler),
    remove: (path) => void handlers.delete(path),
    requests,
    downloads: (path) => requests.filter((r) => r.path === path && r.status === 200).length,
    close,
  }
}
