// What `app plugin init` writes in place of the hono imports of types/plugin.d.ts: an air-gapped plugin
// folder has no hono package, so these are the parts of Hono's API a plugin route uses, declared here.
// Written into <plugin>/types/app-plugin.d.ts by `app plugin init`.

/** The request side of a route's context. */
interface HonoRequest {
  readonly url: string
  readonly method: string
  readonly path: string
  readonly raw: Request
  param(): Record<string, string>
  param(name: string): string | undefined
  query(): Record<string, string>
  query(name: string): string | undefined
  queries(name: string): string[] | undefined
  header(): Record<string, string>
  header(name: string): string | undefined
  json<T = any>(): Promise<T>
  text(): Promise<string>
  formData(): Promise<FormData>
  arrayBuffer(): Promise<ArrayBuffer>
}

type HonoHeaders = Record<string, string | string[]>

/** A route handler's context: the request, the response helpers, and c.get('user') (`{ kind: 'admin' | 'anonymous' }`). */
interface HonoContext {
  req: HonoRequest
  res: Response
  json(object: unknown, status?: number, headers?: HonoHeaders): Response
  text(text: string, status?: number, headers?: HonoHeaders): Response
  html(
    html: string | HtmlEscapedString | Promise<string | HtmlEscapedString>,
    status?: number,
    headers?: HonoHeaders,
  ): Response | Promise<Response>
  body(data: string | ArrayBuffer | ReadableStream | null, status?: number, headers?: HonoHeaders): Response
  redirect(location: string, status?: number): Response
  notFound(): Response | Promise<Response>
  status(status: number): void
  header(name: string, value: string | undefined, options?: { append?: boolean }): void
  get(key: string): any
  set(key: string, value: unknown): void
  var: Record<string, any>
}

type HonoNext = () => Promise<void>
type HonoHandler = (c: HonoContext, next: HonoNext) => Response | Promise<Response | void> | void

/** Hono's app: routes, middleware, fetch. The host hands its own Hono class to plugins (app/plugin exports it). */
declare class HonoApp<E = any, S = any, BasePath = any> {
  constructor(options?: { strict?: boolean })
  get(path: string, ...handlers: HonoHandler[]): this
  post(path: string, ...handlers: HonoHandler[]): this
  put(path: string, ...handlers: HonoHandler[]): this
  delete(path: string, ...handlers: HonoHandler[]): this
  patch(path: string, ...handlers: HonoHandler[]): this
  options(path: string, ...handlers: HonoHandler[]): this
  all(path: string, ...handlers: HonoHandler[]): this
  on(method: string | string[], path: string | string[], ...handlers: HonoHandler[]): this
  use(...handlers: HonoHandler[]): this
  use(path: string, ...handlers: HonoHandler[]): this
  route(path: string, app: HonoApp<any, any, any>): this
  basePath(path: string): HonoApp<E, S, BasePath>
  notFound(handler: (c: HonoContext) => Response | Promise<Response>): this
  onError(handler: (error: Error, c: HonoContext) => Response | Promise<Response>): this
  fetch(request: Request, env?: unknown): Response | Promise<Response>
  request(input: string | Request | URL, init?: RequestInit): Response | Promise<Response>
  readonly routes: Array<{ path: string; method: string }>
}

/** A string that html`` already escaped. */
type HtmlEscapedString = string & { isEscaped: true }

/** Hono's html`` tag: interpolated values are escaped, nested html`` is not. */
declare function HtmlTag(strings: TemplateStringsArray, ...values: unknown[]): HtmlEscapedString | Promise<HtmlEscapedString>

export { HonoApp as Hono, HtmlTag as html }
