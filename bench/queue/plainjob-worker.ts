// The plainjob side of bench/queue.bench.ts: one worker process running a no-op handler, as our worker role does.
import Database from 'better-sqlite3'
import { better, defineQueue, defineWorker } from 'plainjob'

const file = process.argv[2]!
const db = new Database(file)
db.pragma('temp_store = MEMORY')
const queue = defineQueue({ connection: better(db), logger: { error: console.error, warn: console.error, info() {}, debug() {} } })
const worker = defineWorker('bench.noop', async () => {}, {
  queue,
  pollIntervall: 10,
  logger: { error: console.error, warn: console.error, info() {}, debug() {} },
})
process.on('SIGTERM', () => {
  void worker.stop().then(() => {
    queue.close()
    process.exit(0)
  })
})
process.stdout.write('ready\n')
await worker.start()
