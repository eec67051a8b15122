import { collectDefaultMetrics, Registry } from 'prom-client'
import type { RequestRecord } from '../storage/request-record.ts'
import type { WriterStats } from '../storage/storage-writer.ts'
import type { PriceTable } from '../usage/price-table.ts'
import {
  CounterFamily,
  type CounterSeries,
  HistogramFamily,
  type HistogramSeries,
  type MetricFamily,
  renderFamilies,
  ScrapedValue,
} from './metric-families.ts'
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
 * Every Prometheus metric of one process (several apps may share a test process). Ours are
 * kept in metric-families.ts, rendered without prom-client (the scrape must stay fast with
 * tens of thousands of domain-labelled series); prom-client's registry holds only its default
 * process metrics. Counters are updated in-process as records are built, after the client
 * has its answer; gauges read their sources when scraped. Names and labels:
 * docs/operations.md.
 */
export class NexusMetrics {
  /** prom-client's default metrics (process_*, nodejs_*), rendered after ours. */
  readonly registry = new Registry()
  readonly #model: (model: string | null) => string
  readonly #domains: boolean
  readonly #f: ReturnType<typeof requestFamilies>
  readonly #clientAborts: CounterSeries
  readonly #writes: HistogramSeries | undefined
  readonly #families: MetricFamily[]

  constructor(sources: MetricsSources) {
    this.#domains = sources.domainLabels
    this.#model = modelLabeller(sources.priceTable)
    this.#f = requestFamilies(sources.domainLabels ? ['domain'] : [])
    this.#clientAborts = this.#f.clientAborts.series([])
    const storage = sources.storage ? storageFamilies(sources.storage) : undefined
    this.#writes = storage?.writes.series([])
    // The order prom-client's registry had them in, so a scrape reads as before.
    this.#families = [
      ...Object.values(this.#f),
      new ScrapedValue(
        'nexus_requests_in_flight',
        'Proxied requests not yet answered.',
        'gauge',
        sources.inFlight,
      ),
      ...(storage ? [...storage.scraped, storage.writes] : []),
      ...(sources.linkerLag ? [linkerLagGauge(sources.linkerLag)] : []),
    ]
    collectDefaultMetrics({ register: this.registry })
  }

  /** One stored (or built) request record. A handful of counter increments. */
  observeRequest(r: RequestRecord): void {
    const model = this.#model(r.model)
    const domain = this.#domains ? r.domain : undefined
    const type = r.requestType ?? 'unknown'
    const status = statusClass(r.statusCode)
    this.#f.requests.inc(withDomain([status, model, type], domain))
    if (r.durationMs !== null) {
      this.#f.duration.observe([model, String(r.isStreaming)], r.durationMs / 1000)
    }
    if (r.firstTokenMs !== null) this.#f.firstToken.observe([model], r.firstTokenMs / 1000)
    const kind = upstreamErrorKind(r)
    if (kind) this.#f.upstreamErrors.inc([kind])
    if (r.streamEnd === 'client_abort') this.#clientAborts.value += 1
    this.#countTokens(model, domain, r)
    if (r.costUsd) this.#f.cost.inc(withDomain([model], domain), r.costUsd)
  }

  #countTokens(model: string, domain: string | undefined, r: RequestRecord) {
    const counts = [
      ['input', r.inputTokens],
      ['output', r.outputTokens],
      ['cache_write', r.cacheCreationInputTokens],
      ['cache_read', r.cacheReadInputTokens],
    ] as const
    for (const [kind, n] of counts) {
      if (n > 0) this.#f.tokens.inc(withDomain([model, kind], domain), n)
    }
  }

  observeWrite(ms: number): void {
    this.#writes?.observe(ms / 1000)
  }

  observeRefresh(outcome: 'success' | 'failure'): void {
    this.#f.refreshes.inc([outcome])
  }

  /**
   * The scrape as chunks to write in order: ours, then prom-client's default metrics, a blank
   * line between metrics.
   */
  async renderChunks(): Promise<string[]> {
    const chunks = await renderFamilies(this.#families)
    chunks.push(await renderRegistry(this.registry))
    return chunks
  }

  /** The whole scrape as one string (tests; the route writes the chunks). */
  async render(): Promise<string> {
    return (await this.renderChunks()).join('')
  }
}

/** The families fed per record (and per OAuth refresh), in their scrape order. */
function requestFamilies(domain: string[]) {
  return {
    requests: new CounterFamily(
      'nexus_requests_total',
      'Proxied /v1 requests by status class, model family and request type.',
      ['status_class', 'model_family', 'request_type', ...domain],
    ),
    duration: new HistogramFamily(
      'nexus_request_duration_seconds',
      'Time from request arrival to the last byte sent to the client.',
      SECONDS,
      ['model_family', 'streaming'],
    ),
    firstToken: new HistogramFamily(
      'nexus_time_to_first_token_seconds',
      'Time from request arrival to the first streamed content of a response.',
      FIRST_TOKEN,
      ['model_family'],
    ),
    upstreamErrors: new CounterFamily(
      'nexus_upstream_errors_total',
      'Upstream failures: timeout, connection, stream_interrupted, rate_limited, overloaded, server_error.',
      ['kind'],
    ),
    clientAborts: new CounterFamily(
      'nexus_client_aborts_total',
      'Requests the client closed before their answer was complete.',
    ),
    tokens: new CounterFamily(
      'nexus_tokens_total',
      'Tokens reported by Anthropic, by model family and kind (input, output, cache_write, cache_read).',
      ['model_family', 'kind', ...domain],
    ),
    cost: new CounterFamily(
      'nexus_cost_usd_total',
      'List-price cost in US dollars of priced responses, by model family.',
      ['model_family', ...domain],
    ),
    refreshes: new CounterFamily(
      'nexus_oauth_refreshes_total',
      'OAuth access token refreshes by outcome (success, failure).',
      ['outcome'],
    ),
  }
}

function withDomain(values: string[], domain: string | undefined): string[] {
  if (domain !== undefined) values.push(domain)
  return values
}

/** The writer's gauges and totals (read at scrape) and the write latency histogram. */
function storageFamilies(stats: () => WriterStats) {
  const gauge = (name: string, help: string, read: (s: WriterStats) => number) =>
    new ScrapedValue(name, help, 'gauge', () => read(stats()))
  // Totals the writer keeps itself, exposed as counters.
  const total = (name: string, help: string, read: (s: WriterStats) => number) =>
    new ScrapedValue(name, help, 'counter', () => read(stats()))
  const scraped = [
    gauge(
      'nexus_storage_queue_depth',
      'Records in memory waiting for the database.',
      (s) => s.queued,
    ),
    gauge(
      'nexus_storage_spool_bytes',
      'Bytes of records waiting in the on-disk spool.',
      (s) => s.spoolBytes,
    ),
    gauge(
      'nexus_storage_spool_records',
      'Records waiting in the on-disk spool.',
      (s) => s.spoolRecords,
    ),
    gauge(
      'nexus_storage_quarantined_records',
      'Records in the quarantine file.',
      (s) => s.quarantined,
    ),
    gauge('nexus_storage_degraded', '1 while records cannot be written to the database.', (s) =>
      s.degraded ? 1 : 0,
    ),
    total('nexus_storage_stored_total', 'Records committed by a batch insert.', (s) => s.stored),
    total('nexus_storage_spooled_total', 'Records written to the spool.', (s) => s.spooled),
    total(
      'nexus_storage_replayed_total',
      'Spooled records replayed into the database.',
      (s) => s.replayed,
    ),
  ]
  const writes = new HistogramFamily(
    'nexus_storage_write_duration_seconds',
    'Time one batch insert of request records took (committed or failed).',
    WRITE,
  )
  return { scraped, writes }
}

function linkerLagGauge(lag: () => Promise<number>): ScrapedValue {
  return new ScrapedValue(
    'nexus_conversation_linker_lag_seconds',
    'Age of the oldest stored request not yet linked into a conversation (0: none); NaN when the database did not answer.',
    'gauge',
    () => withTimeout(lag(), LAG_TIMEOUT_MS).catch(() => Number.NaN),
  )
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
