import type { AddressInfo } from 'node:net'
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server'
import { AppError, ExitCode } from '../errors/app-error.ts'

export interface WebServer {
  /** Where to point a browser, e.g. http://127.0.0.1:8080/ (the real port when 0 was asked for). */
  url: string
  port: number
  close(): Promise<void>
}

const WILDCARD: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1' }

/**
 * Listens with @hono/node-server; a taken port is a clear error, not a stack.
 * fetch gets the Node request as its second argument: pass it on to the app,
 * whose sign-in throttle counts per client address (the socket's peer).
 */
export function startWebServer(options: {
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>
  host: string
  port: number
}): Promise<WebServer> {
  const server = createAdaptorServer({ fetch: options.fetch })
  return new Promise((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      const hint =
        cause.code === 'EADDRINUSE'
          ? `port ${options.port} on ${options.host} is in use by another process; pass --port <n> (or --port 0 for any free port)`
          : cause.code === 'EADDRNOTAVAIL'
            ? `${options.host} is not an address of this machine; pass --host 127.0.0.1 or one of its addresses`
            : cause.code === 'EACCES'
              ? `not allowed to listen on port ${options.port}; ports below 1024 need privileges, pick a higher --port`
              : cause.message
      reject(
        new AppError('WEB_LISTEN_FAILED', `web: cannot listen on ${options.host}:${options.port}: ${hint}`, {
          exitCode: ExitCode.runtime,
          cause,
        }),
      )
    })
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo
      const shown = WILDCARD[options.host] ?? options.host
      const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            // Browsers keep connections open; close them so shutdown does not wait for their timeout.
            if ('closeAllConnections' in server) server.closeAllConnections()
          }),
      })
    })
  })
}
