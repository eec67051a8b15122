import type { RequestRecord } from '../../storage/request-record.ts'

/** What the dashboard is told about as it happens. Narrow: pages fetch the details themselves. */
export type LiveEvent =
  | {
      type: 'request'
      id: string
      domain: string
      timestamp: string
      model: string | null
      status: number | null
    }
  | { type: 'conversation'; conversationId: string; domain: string }
  /** An AI analysis changed state (src/analysis/): the panel re-fetches it. */
  | {
      type: 'analysis'
      conversationId: string
      branchId: string
      domain: string
      status: 'pending' | 'processing' | 'completed' | 'failed'
    }

export type Listener = (event: LiveEvent) => void

/** An in-process fan-out from the storage writer (and other instances, via the relay) to SSE clients. */
export class EventBus {
  readonly #listeners = new Set<Listener>()
  readonly #closing = new AbortController()

  /** Aborted on shutdown: live streams say `shutdown` and end, so the server can close. */
  get closing(): AbortSignal {
    return this.#closing.signal
  }

  close(): void {
    this.#closing.abort()
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  publish(event: LiveEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
  }

  get size(): number {
    return this.#listeners.size
  }
}

export function requestEvents(records: readonly RequestRecord[]): LiveEvent[] {
  return records.map((r) => ({
    type: 'request',
    id: r.requestId,
    domain: r.domain,
    timestamp: r.timestamp,
    model: r.model,
    status: r.statusCode,
  }))
}

/** Accepts only well-formed events from the wire (another instance, via NOTIFY). */
export function parseLiveEvent(value: unknown): LiveEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const e = value as Record<string, unknown>
  if (
    e.type === 'request' &&
    typeof e.id === 'string' &&
    typeof e.domain === 'string' &&
    typeof e.timestamp === 'string'
  ) {
    return {
      type: 'request',
      id: e.id,
      domain: e.domain,
      timestamp: e.timestamp,
      model: typeof e.model === 'string' ? e.model : null,
      status: typeof e.status === 'number' ? e.status : null,
    }
  }
  if (
    e.type === 'conversation' &&
    typeof e.conversationId === 'string' &&
    typeof e.domain === 'string'
  ) {
    return { type: 'conversation', conversationId: e.conversationId, domain: e.domain }
  }
  if (
    e.type === 'analysis' &&
    typeof e.conversationId === 'string' &&
    typeof e.branchId === 'string' &&
    typeof e.domain === 'string' &&
    (e.status === 'pending' ||
      e.status === 'processing' ||
      e.status === 'completed' ||
      e.status === 'failed')
  ) {
    const { conversationId, branchId, domain, status } = e
    return { type: 'analysis', conversationId, branchId, domain, status }
  }
  return undefined
}
