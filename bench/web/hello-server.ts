// The baseline of bench/web.bench.ts: a hello-world Hono route on @hono/node-server, in its own process like the web role.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.get('/', (c) => c.text('Hello, world!'))
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.stdout.write(`listening ${info.port}\n`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
