// The outside services of the ported plugins, as one HTTP server on 127.0.0.1: a queue that speaks the
// CloudWatch Logs sequence-token dialect, a vulnerability scanner, and a webhook receiver. It records every
// request it answers, so a test counts what each plugin sent and when.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StubRequest {
  path: string
  t: number
  status: number
  /** The JSON body of a POST, the query of a GET. */
  body: Record<string, unknown>
  deliveryId: string | null
}

export interface StubServices {
  url: string
  requests: StubRequest[]
  /** Requests to a path starting with prefix. */
  to(prefix: string): StubRequest[]
  /** What the scanner reports, per resource id. */
  findings: Record<string, unknown>
  /** How long the scanner and the webhook take to answer. */
  delayMs: { scanner: number; webhook: number }
  /** The most requests carrying one delivery id that were in flight at once (a killed sender's ends with its socket). */
  maxInFlightPerDelivery: number
  /** The sequence token each queue expects next. */
  queues: Map<string, string | null>
  close(): Promise<void>
}

const readBody = async (req: IncomingMessage) => {
  let text = ''
  for await (const chunk of req) text += chunk
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

/** Starts the stub; `tokens` are the bearer tokens the queue and the webhook accept. */
export async function startStubServices(tokens: { queue: string; webhook: string }): Promise<StubServices> {
  const inFlight = new Map<string, number>()
  let seq = 0
  const stub: Omit<StubServices, 'url' | 'close'> & { to(prefix: string): StubRequest[] } = {
    requests: [],
    findings: {},
    delayMs: { scanner: 0, webhook: 0 },
    maxInFlightPerDelivery: 0,
    queues: new Map([['orders', null]]),
    to: (prefix) => stub.requests.filter((r) => r.path.startsWith(prefix)),
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const answer = (req: StubRequest, res: ServerResponse, status: number, body?: unknown) => {
    req.status = status
    stub.requests.push(req)
    res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body))
  }
  const authorized = (req: IncomingMessage, token: string) => req.headers.authorization === `Bearer ${token}`

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub')
    const rec: StubRequest = {
      path: url.pathname,
      t: Date.now(),
      status: 0,
      body: {},
      deliveryId: (req.headers['x-delivery-id'] as string | undefined) ?? null,
    }
    const queue = /^\/queues\/([^/]+)\/messages$/.exec(url.pathname)
    if (queue && req.method === 'POST') {
      rec.body = await readBody(req)
      if (!authorized(req, tokens.queue)) return answer(rec, res, 403, { __type: 'AccessDenied' })
      if (!stub.queues.has(queue[1]!))
        return answer(rec, res, 404, { __type: 'QueueDoesNotExist', message: `queue ${queue[1]} does not exist` })
      const expected = stub.queues.get(queue[1]!) ?? null
      if (rec.body.sequenceToken !== expected)
        return answer(rec, res, 400, { __type: 'InvalidSequenceTokenException', expectedSequenceToken: expected })
      const next = `seq-${++seq}`
      stub.queues.set(queue[1]!, next)
      return answer(rec, res, 200, { nextSequenceToken: next })
    }
    if (url.pathname === '/scanner/findings' && req.method === 'GET') {
      rec.body = Object.fromEntries(url.searchParams)
      await sleep(stub.delayMs.scanner)
      return answer(rec, res, 200, { findings: stub.findings })
    }
    if (url.pathname === '/webhook' && req.method === 'POST') {
      rec.body = await readBody(req)
      if (!authorized(req, tokens.webhook)) return answer(rec, res, 403, { error: 'bad token' })
      const id = rec.deliveryId ?? '-'
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1)
      stub.maxInFlightPerDelivery = Math.max(stub.maxInFlightPerDelivery, inFlight.get(id)!)
      await sleep(stub.delayMs.webhook)
      inFlight.set(id, inFlight.get(id)! - 1)
      return answer(rec, res, 204)
    }
    answer(rec, res, 404, { error: 'no such route' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
