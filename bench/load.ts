import autocannon from 'autocannon'
import type { EventEmitter } from 'node:events'
import { REQUEST_PATH, requestHeaders } from './workload.ts'

export interface LoadOptions {
  /** Base URL of the server under load, e.g. http://127.0.0.1:3000. */
  target: string
  /** Host header: the proxy stores it as the row's domain, so each phase counts its own rows. */
  host: string
  body: Buffer
  durationS: number
  /** Open connections. Closed loop: each sends its next request when the last is answered. */
  connections: number
  /** Open loop at a fixed overall rate (req/s) instead, over at most `connections`. */
  rate?: number
  /** Seconds before the client gives up on a request (autocannon's default: 10). */
  timeoutS?: number
}

export interface Latency {
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export interface LoadResult {
  sent: number
  completed: number
  non2xx: number
  errors: number
  elapsedS: number
  reqPerSec: number
  /** From the moment the request was written to its last response byte (autocannon's figure). */
  latency: Latency
  /** Open loop only: from the moment the request was due, so a stalled server cannot hide. */
  latencyFromSchedule: Latency | null
  /** Open loop only: times a request was due while every connection was busy. */
  starved: number
}

// The parts of an autocannon 9 client (lib/httpClient.js) this file drives. A client with a
// `rate` sends while `reqsMadeThisSecond < rate` and otherwise pauses until its own
// once-a-second interval resets the count; `responseMax` closes it before its next request.
type CannonClient = EventEmitter & {
  reqsMade: number
  responseMax: number
  rate: number
  reqsMadeThisSecond: number
  paused: boolean
  rateInterval: NodeJS.Timeout | undefined
  _doRequest(): void
  destroy(): void
}

/**
 * Runs one load phase and ends it gracefully: after `durationS` no new request starts, the
 * ones in flight finish, then connections close. Every request sent is answered, so through
 * the proxy "rows stored == requests sent" holds exactly, with no aborted tail.
 *
 * Fixed rate: autocannon's `overallRate` lets each connection send its share back to back at
 * the top of every second, so 1,000 req/s arrives as one burst per second and p99 measures the
 * burst, not the rate. Here the connections are rate-limited clients (so they pause after
 * each response) whose once-a-second release is replaced by a pacer that releases one
 * request every 1/rate s to an idle connection: a steady open-loop arrival rate.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const paced = options.rate !== undefined
  const latencies: number[] = []
  const fromSchedule: number[] = []
  const clients: CannonClient[] = []
  const idle: CannonClient[] = []
  const dueAt = new Map<CannonClient, number>()
  let sent = 0
  let completed = 0
  let non2xx = 0
  let errors = 0
  let starved = 0
  let stopping = false
  const started = performance.now()
  let lastResponse = started

  const onIdle = (c: CannonClient) => {
    const due = dueAt.get(c)
    if (due !== undefined) fromSchedule.push(performance.now() - due)
    dueAt.delete(c)
    if (stopping) c.destroy()
    else idle.push(c)
  }

  const done = new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.target + REQUEST_PATH,
        method: 'POST',
        headers: requestHeaders(options.host),
        body: options.body,
        connections: options.connections,
        ...(options.timeoutS !== undefined ? { timeout: options.timeoutS } : {}),
        // A rate makes the clients pause after each response; the pacer does the releasing.
        ...(paced ? { overallRate: options.connections, ignoreCoordinatedOmission: true } : {}),
        // The phase is ended by `stop()` below; this is only a safety net.
        duration: options.durationS + 60,
        setupClient(client) {
          const c = client as unknown as CannonClient
          clients.push(c)
          c.on('request', () => sent++)
          if (!paced) return
          // Runs before the client connects: its first request waits for the pacer too.
          c.rate = 1
          c.reqsMadeThisSecond = 1
          c.on('response', () => onIdle(c))
          c.on('connError', () => onIdle(c))
          c.on('timeout', () => onIdle(c))
        },
      },
      (err: unknown) => (err ? reject(err as Error) : resolve()),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      completed++
      lastResponse = performance.now()
      if (statusCode < 200 || statusCode >= 300) non2xx++
      else latencies.push(responseTime)
    })
    // Clients destroyed when the phase ends report their cut request; those are not errors.
    instance.on('reqError', () => {
      if (!stopping) errors++
    })
  })

  let pacer: NodeJS.Timeout | undefined
  if (paced) {
    const rate = options.rate!
    for (const c of clients) {
      clearInterval(c.rateInterval)
      idle.push(c)
    }
    let issued = 0
    pacer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) * rate) / 1000)
      while (issued < due) {
        const c = idle.pop()
        if (!c) {
          starved++
          break
        }
        dueAt.set(c, started + (issued * 1000) / rate)
        issued++
        c.reqsMadeThisSecond = 0
        c.paused = false
        c._doRequest()
      }
    }, 1)
  }

  const stop = () => {
    stopping = true
    clearInterval(pacer)
    if (paced) {
      for (const c of idle.splice(0)) c.destroy()
      return
    }
    // A client checks responseMax before each new request: with it at the number already
    // made, it closes once its request in flight is answered.
    for (const c of clients) c.responseMax = Math.max(1, c.reqsMade)
  }
  const stopTimer = setTimeout(stop, options.durationS * 1000)
  try {
    await done
  } finally {
    clearTimeout(stopTimer)
    clearInterval(pacer)
  }
  const elapsedS = (lastResponse - started) / 1000
  return {
    sent,
    completed,
    non2xx,
    errors,
    elapsedS,
    reqPerSec: completed / elapsedS,
    latency: summarize(latencies),
    latencyFromSchedule: paced ? summarize(fromSchedule) : null,
    starved,
  }
}

function summarize(values: number[]): Latency {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }
  const sorted = Float64Array.from(values).sort()
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0
  let sum = 0
  for (const v of sorted) sum += v
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sum / sorted.length,
  }
}
