import type { PgClient, PgPool } from '../postgres/open-postgres.ts'
import { GENERATION_CHANNEL } from './plugin-store-port.ts'

/**
 * LISTEN app_generation on one connection held from the pool: a publish's NOTIFY arrives on commit, so a
 * reader hears of a generation it can already read. A dropped connection is opened again every `retryMs`;
 * after each (re)connect the newest id is read once, for what was committed while nobody listened.
 */
export async function watchPostgresGenerations(
  pool: PgPool,
  currentId: () => Promise<number | null>,
  onGeneration: (id: number) => void,
  retryMs = 1000,
): Promise<() => Promise<void>> {
  let last = (await currentId()) ?? 0
  let stopped = false
  let client: PgClient | null = null
  let timer: NodeJS.Timeout | undefined
  const deliver = (id: number) => {
    if (!stopped && Number.isSafeInteger(id) && id > last) onGeneration((last = id))
  }
  const lost = (c: PgClient) => {
    if (client !== c) return
    client = null
    c.release(true)
    retry()
  }
  const retry = () => {
    if (stopped) return
    timer = setTimeout(() => listen().catch(retry), retryMs)
    timer.unref()
  }
  const listen = async () => {
    const c = await pool.connect()
    c.on('notification', (m) => {
      if (m.channel === GENERATION_CHANNEL) deliver(Number(m.payload))
    })
    c.on('error', () => lost(c))
    client = c
    try {
      await c.query(`LISTEN ${GENERATION_CHANNEL}`)
      const id = await currentId()
      if (id !== null) deliver(id)
    } catch (error) {
      if (client === c) {
        client = null
        c.release(true)
      }
      throw error
    }
  }
  await listen()
  return async () => {
    stopped = true
    clearTimeout(timer)
    // Destroyed rather than returned to the pool: it still listens, with our handler attached.
    client?.release(true)
    client = null
  }
}
