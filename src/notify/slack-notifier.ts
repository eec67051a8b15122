import type { Log } from '../log.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { errorMessage, turnMessage, type SlackPayload, type SlackTarget } from './slack-message.ts'
import { summarizeTurn } from './turn-summary.ts'

export interface SlackNotifierDeps {
  fetch: typeof fetch
  log: Log
  clock: () => number
  /** Per message; a slow or hung Slack costs at most this, off the request path. */
  timeoutMs: number
  /** Messages waiting beyond this are dropped, oldest first. */
  maxQueue?: number
  /** Messages in flight at once. */
  concurrency?: number
  /** Identical errors (domain, status, type, message) within this span are posted once. */
  errorRepeatWindowMs?: number
}

export interface SlackStats {
  queued: number
  sent: number
  failed: number
  dropped: number
  suppressedErrors: number
}

interface Outgoing {
  webhookUrl: string
  payload: SlackPayload
}

/**
 * Posts a message per inference turn, and one per distinct failure, to Slack. `notify` only
 * queues; sending happens in the background with a timeout per message, so Slack being slow,
 * down or refusing never delays or fails a proxied request.
 */
export class SlackNotifier {
  readonly #queue: Outgoing[] = []
  readonly #errors = new Map<string, { until: number; repeats: number }>()
  readonly #stats = { sent: 0, failed: 0, dropped: 0, suppressedErrors: 0 }
  readonly #idle = new Set<() => void>()
  #active = 0
  #lastFailureLog = 0

  constructor(private readonly deps: SlackNotifierDeps) {}

  /** Called after a request is recorded; never throws and never waits. */
  notify(record: RequestRecord, target: SlackTarget): void {
    try {
      const payload = this.#payloadFor(record, target)
      if (payload) this.#enqueue({ webhookUrl: target.webhookUrl, payload })
    } catch (err) {
      this.deps.log.warn('could not build a Slack message', {
        requestId: record.requestId,
        error: err,
      })
    }
  }

  stats(): SlackStats {
    return { queued: this.#queue.length + this.#active, ...this.#stats }
  }

  /** Resolves once everything queued has been sent or has failed, or after `timeoutMs`. */
  async drain(timeoutMs = this.deps.timeoutMs + 500): Promise<void> {
    if (this.#queue.length === 0 && this.#active === 0) return
    let done: () => void = () => undefined
    const idle = new Promise<void>((resolve) => (done = resolve))
    this.#idle.add(done)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([idle, deadline])
    clearTimeout(timer)
    this.#idle.delete(done)
  }

  #payloadFor(record: RequestRecord, target: SlackTarget): SlackPayload | null {
    // A turn is a Messages call; the client walking away is neither a turn nor a failure.
    if (record.requestType !== 'inference' || record.streamEnd === 'client_abort') return null
    const turn = summarizeTurn(record)
    if (!turn.error) return turnMessage(turn, target)
    const key = JSON.stringify([
      record.domain,
      turn.error.status,
      turn.error.type,
      turn.error.message,
    ])
    const now = this.deps.clock()
    const seen = this.#errors.get(key)
    if (seen && now < seen.until) {
      seen.repeats++
      this.#stats.suppressedErrors++
      return null
    }
    if (this.#errors.size >= 1000) this.#errors.clear()
    this.#errors.set(key, {
      until: now + (this.deps.errorRepeatWindowMs ?? 10 * 60_000),
      repeats: 0,
    })
    return errorMessage(turn, target, seen?.repeats ?? 0)
  }

  #enqueue(message: Outgoing) {
    this.#queue.push(message)
    if (this.#queue.length > (this.deps.maxQueue ?? 500)) {
      this.#queue.shift()
      this.#stats.dropped++
    }
    this.#pump()
  }

  #pump() {
    while (this.#active < (this.deps.concurrency ?? 2) && this.#queue.length > 0) {
      const next = this.#queue.shift()!
      this.#active++
      void this.#send(next).finally(() => {
        this.#active--
        this.#pump()
        if (this.#active === 0 && this.#queue.length === 0) for (const done of this.#idle) done()
      })
    }
  }

  async #send(message: Outgoing): Promise<void> {
    try {
      const res = await this.deps.fetch(message.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message.payload),
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      })
      await res.body?.cancel()
      if (!res.ok) throw new Error(`Slack answered ${res.status}`)
      this.#stats.sent++
    } catch (err) {
      this.#stats.failed++
      this.#logFailure(message.webhookUrl, err)
    }
  }

  // The webhook URL is a secret (its path is the credential): only its host is logged, and
  // at most once a minute so a Slack outage does not flood the log.
  #logFailure(webhookUrl: string, err: unknown) {
    const now = this.deps.clock()
    if (now - this.#lastFailureLog < 60_000) return
    this.#lastFailureLog = now
    const reason =
      err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : err.message) : String(err)
    this.deps.log.warn('Slack notification failed', {
      host: hostOf(webhookUrl),
      reason,
      ...this.stats(),
    })
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'invalid url'
  }
}
