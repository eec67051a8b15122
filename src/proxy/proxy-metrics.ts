/**
 * The proxy's own live counters, plain numbers on the hot path (tests and the benchmark read
 * them). The Prometheus metrics are src/monitoring/nexus-metrics.ts, which reads `inFlight`.
 */
export class ProxyMetrics {
  requests = 0
  inFlight = 0
  clientAborts = 0

  observe(end: string | null) {
    this.requests++
    if (end === 'client_abort') this.clientAborts++
  }
}
