import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import type { Database } from '../../db/database.ts'
import type { Log } from '../../log.ts'
import { parseLiveEvent, type EventBus, type LiveEvent } from './live-events.ts'

// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7000

export interface PgRelay {
  start(): Promise<void>
  /** Tells the other instances (NOTIFY on the shared database). */
  notify(events: readonly LiveEvent[]): Promise<void>
  stop(): Promise<void>
  readonly channel: string | undefined
}

/**
 * Carries live events between instances sharing one PostgreSQL: each instance NOTIFYs after
 * it stores requests and LISTENs on a dedicated connection (a pooled one cannot hold LISTEN).
 * Events from this instance are skipped on the way back: the local bus already had them.
 * The channel is per schema, so databases shared by schema (tests) never cross-talk.
 */
export function createPgRelay(deps: {
  url: string
  db: Database
  bus: EventBus
  log: Log
  retryMs?: number
}): PgRelay {
  const origin = randomUUID()
  const retryMs = deps.retryMs ?? 1000
  let channel: string | undefined
  let client: pg.Client | undefined
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  async function channelName(): Promise<string> {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(deps.db.kysely)
    const schema = (r.rows[0]?.s ?? 'public').toLowerCase().replace(/[^a-z0-9_]/g, '_')
    return (schema === 'public' ? 'nexus_live' : `nexus_live_${schema}`).slice(0, 63)
  }

  async function connect(): Promise<void> {
    if (stopped || !channel) return
    const c = new pg.Client({ connectionString: deps.url })
    c.on('error', (err) => retry(c, err))
    c.on('end', () => retry(c, undefined))
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return
      receive(msg.payload)
    })
    try {
      await c.connect()
      await c.query(`LISTEN "${channel}"`)
      client = c
    } catch (err) {
      retry(c, err)
    }
  }

  function retry(c: pg.Client, err: unknown) {
    if (client === c) client = undefined
    c.removeAllListeners()
    c.on('error', () => undefined)
    void c.end().catch(() => undefined)
    if (stopped || timer) return
    if (err) deps.log.warn('live relay lost its database connection; retrying', { error: err })
    timer = setTimeout(() => {
      timer = undefined
      void connect()
    }, retryMs)
  }

  function receive(payload: string) {
    let message: { origin?: unknown; events?: unknown }
    try {
      message = JSON.parse(payload) as typeof message
    } catch {
      return
    }
    if (message.origin === origin || !Array.isArray(message.events)) return
    for (const raw of message.events) {
      const event = parseLiveEvent(raw)
      if (event) deps.bus.publish(event)
    }
  }

  return {
    get channel() {
      return channel
    },
    async start() {
      channel = await channelName()
      await connect()
    },
    async notify(events) {
      if (!channel || events.length === 0) return
      for (const payload of payloads(origin, events)) {
        await sql`select pg_notify(${channel}, ${payload})`.execute(deps.db.kysely)
      }
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      const c = client
      client = undefined
      if (c) {
        c.removeAllListeners()
        c.on('error', () => undefined)
        await c.end().catch(() => undefined)
      }
    },
  }
}

/** Splits events into NOTIFY payloads under the size limit. */
export function payloads(origin: string, events: readonly LiveEvent[]): string[] {
  const out: string[] = []
  let batch: LiveEvent[] = []
  const encode = (list: LiveEvent[]) => JSON.stringify({ origin, events: list })
  for (const event of events) {
    const next = [...batch, event]
    if (batch.length > 0 && Buffer.byteLength(encode(next)) > MAX_PAYLOAD) {
      out.push(encode(batch))
      batch = [event]
    } else {
      batch = next
    }
  }
  if (batch.length > 0) out.push(encode(batch))
  // A single event over the limit (an absurd domain) is dropped rather than failing the NOTIFY.
  return out.filter((p) => Buffer.byteLength(p) <= MAX_PAYLOAD)
}
