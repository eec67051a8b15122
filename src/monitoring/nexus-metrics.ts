import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { RequestRecord } from '../storage/request-record.ts'
import type { WriterStats } from '../storage/storage-writer.ts'
import type { PriceTable } from '../usage/price-table.ts'
import { modelLabeller, statusClass, upstreamErrorKind } from './metric-labels.ts'
import { renderRegistry } from './render-registry.ts'

export interface MetricsSources {
  /** METRICS_DOMAIN_LABELS: a `domain` label on requests, tokens and cost (unbounded). */
  domainLabels: boolean
  priceTable: PriceTable
  inFlight: () => number
  /** Null when storage is disabled. */
  storage: (() => WriterStats) | null
  /** Age in seconds of the oldest stored request not linked yet (0: none); null without a database. */
  linkerLag: (() => Promise<number>) | null
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
const FIRST_TOKEN = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 60]
const WRITE = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
// A scrape must answer even when the database does not.
const LAG_TIMEOUT_MS = 1000

/**
 * Every Prometheus metric of one process, in its own registry (several apps may share a test
 * process). Counters are updated in-process as records are built, after the client has its
 * answer; gauges read their sources when scraped. Names and labels: docs/operations.md.
 */
export class NexusMetrics {
  readonly registry = new Registry()
  readonly #model: (model: string | null) => string
  readonly #domains: boolean
  readonly #requests: Counter
  readonly #duration: Histogram
  readonly #firstToken: Histogram
  readonly #upstreamErrors: Counter
  readonly #clientAborts: Counter
  readonly #tokens: Counter
  readonly #cost: Counter
  readonly #writes: Histogram | undefined
  readonly #refreshes: Counter

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    const domain = sources.domainLabels ? ['domain'] : []
    this.#domains = sources.domainLabels
    this.#model = modelLabeller(sources.priceTable)
    this.#requests = new Counter({
      name: 'nexus_requests_total',
      help: 'Proxied /v1 requests by status class, model family and request type.',
      labelNames: ['status_class', 'model_family', 'request_type', ...domain],
      registers,
    })
    this.#duration = new Histogram({
      name: 'nexus_request_duration_seconds',
      help: 'Time from request arrival to the last byte sent to the client.',
      labelNames: ['model_family', 'streaming'],
      buckets: SECONDS,
      registers,
    })
    this.#firstToken = new Histogram({
      name: 'nexus_time_to_first_token_seconds',
      help: 'Time from request arrival to the first streamed content of a response.',
      labelNames: ['model_family'],
      buckets: FIRST_TOKEN,
      registers,
    })
    this.#upstreamErrors = new Counter({
      name: 'nexus_upstream_errors_total',
      help: 'Upstream failures: timeout, connection, stream_interrupted, rate_limited, overloaded, server_error.',
      labelNames: ['kind'],
      registers,
    })
    this.#clientAborts = new Counter({
      name: 'nexus_client_aborts_total',
      help: 'Requests the client closed before their answer was complete.',
      registers,
    })
    this.#tokens = new Counter({
      name: 'nexus_tokens_total',
      help: 'Tokens reported by Anthropic, by model family and kind (input, output, cache_write, cache_read).',
      labelNames: ['model_family', 'kind', ...domain],
      registers,
    })
    this.#cost = new Counter({
      name: 'nexus_cost_usd_total',
      help: 'List-price cost in US dollars of priced responses, by model family.',
      labelNames: ['model_family', ...domain],
      registers,
    })
    this.#refreshes = new Counter({
      name: 'nexus_oauth_refreshes_total',
      help: 'OAuth access token refreshes by outcome (success, failure).',
      labelNames: ['outcome'],
      registers,
    })
    gauge(this.registry, 'nexus_requests_in_flight', 'Proxied requests not yet answered.', () =>
      sources.inFlight(),
    )
    this.#writes = sources.storage ? registerStorage(this.registry, sources.storage) : undefined
    if (sources.linkerLag) registerLinkerLag(this.registry, sources.linkerLag)
    collectDefaultMetrics({ register: this.registry })
  }

  /** One stored (or built) request record. A handful of counter increments. */
  observeRequest(r: RequestRecord): void {
    const model = this.#model(r.model)
    const domain = this.#domains ? { domain: r.domain } : {}
    const type = r.requestType ?? 'unknown'
    this.#requests.inc({
      status_class: statusClass(r.statusCode),
      model_family: model,
      request_type: type,
      ...domain,
    })
    if (r.durationMs !== null) {
      this.#duration.observe(
        { model_family: model, streaming: String(r.isStreaming) },
        r.durationMs / 1000,
      )
    }
    if (r.firstTokenMs !== null)
      this.#firstToken.observe({ model_family: model }, r.firstTokenMs / 1000)
    const kind = upstreamErrorKind(r)
    if (kind) this.#upstreamErrors.inc({ kind })
    if (r.streamEnd === 'client_abort') this.#clientAborts.inc()
    this.#countTokens(model, domain, r)
    if (r.costUsd) this.#cost.inc({ model_family: model, ...domain }, r.costUsd)
  }

  #countTokens(model: string, domain: { domain?: string }, r: RequestRecord) {
    const counts = [
      ['input', r.inputTokens],
      ['output', r.outputTokens],
      ['cache_write', r.cacheCreationInputTokens],
      ['cache_read', r.cacheReadInputTokens],
    ] as const
    for (const [kind, n] of counts) {
      if (n > 0) this.#tokens.inc({ model_family: model, kind, ...domain }, n)
    }
  }

  observeWrite(ms: number): void {
    this.#writes?.observe(ms / 1000)
  }

  observeRefresh(outcome: 'success' | 'failure'): void {
    this.#refreshes.inc({ outcome })
  }

  render(): Promise<string> {
    return renderRegistry(this.registry)
  }
}

function gauge(registry: Registry, name: string, help: string, read: () => number) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read())
    },
  })
}

// Totals the writer keeps itself: read at scrape, exposed as counters.
function total(registry: Registry, name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    },
  })
}

/** The writer's gauges and totals; returns the write latency histogram. */
function registerStorage(registry: Registry, stats: () => WriterStats): Histogram {
  gauge(
    registry,
    'nexus_storage_queue_depth',
    'Records in memory waiting for the database.',
    () => stats().queued,
  )
  gauge(
    registry,
    'nexus_storage_spool_bytes',
    'Bytes of records waiting in the on-disk spool.',
    () => stats().spoolBytes,
  )
  gauge(
    registry,
    'nexus_storage_spool_records',
    'Records waiting in the on-disk spool.',
    () => stats().spoolRecords,
  )
  gauge(
    registry,
    'nexus_storage_quarantined_records',
    'Records in the quarantine file.',
    () => stats().quarantined,
  )
  gauge(
    registry,
    'nexus_storage_degraded',
    '1 while records cannot be written to the database.',
    () => (stats().degraded ? 1 : 0),
  )
  total(
    registry,
    'nexus_storage_stored_total',
    'Records committed by a batch insert.',
    () => stats().stored,
  )
  total(
    registry,
    'nexus_storage_spooled_total',
    'Records written to the spool.',
    () => stats().spooled,
  )
  total(
    registry,
    'nexus_storage_replayed_total',
    'Spooled records replayed into the database.',
    () => stats().replayed,
  )
  return new Histogram({
    name: 'nexus_storage_write_duration_seconds',
    help: 'Time one batch insert of request records took (committed or failed).',
    buckets: WRITE,
    registers: [registry],
  })
}

function registerLinkerLag(registry: Registry, lag: () => Promise<number>) {
  new Gauge({
    name: 'nexus_conversation_linker_lag_seconds',
    help: 'Age of the oldest stored request not yet linked into a conversation (0: none); NaN when the database did not answer.',
    registers: [registry],
    async collect() {
      this.set(await withTimeout(lag(), LAG_TIMEOUT_MS).catch(() => Number.NaN))
    },
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
