import type { WriterStats } from '../storage/storage-writer.ts'

/** Counters for Prometheus. Plain numbers updated on the hot path; rendered on scrape. */
export class ProxyMetrics {
  requests = 0
  inFlight = 0
  upstreamErrors = 0
  clientAborts = 0
  readonly byStatusClass = new Map<string, number>()

  observe(status: number | null, end: string | null) {
    this.requests++
    const cls = status === null ? 'none' : `${Math.floor(status / 100)}xx`
    this.byStatusClass.set(cls, (this.byStatusClass.get(cls) ?? 0) + 1)
    if (end === 'upstream_error' || end === 'timeout') this.upstreamErrors++
    if (end === 'client_abort') this.clientAborts++
  }

  render(storage: WriterStats | null): string {
    const lines = [
      '# TYPE nexus_proxy_requests_total counter',
      ...[...this.byStatusClass].map(
        ([cls, n]) => `nexus_proxy_requests_total{status="${cls}"} ${n}`,
      ),
      '# TYPE nexus_proxy_in_flight gauge',
      `nexus_proxy_in_flight ${this.inFlight}`,
      '# TYPE nexus_proxy_upstream_errors_total counter',
      `nexus_proxy_upstream_errors_total ${this.upstreamErrors}`,
      '# TYPE nexus_proxy_client_aborts_total counter',
      `nexus_proxy_client_aborts_total ${this.clientAborts}`,
    ]
    if (storage) {
      lines.push(
        '# TYPE nexus_storage_queued gauge',
        `nexus_storage_queued ${storage.queued}`,
        '# TYPE nexus_storage_stored_total counter',
        `nexus_storage_stored_total ${storage.stored}`,
        '# TYPE nexus_storage_spooled_total counter',
        `nexus_storage_spooled_total ${storage.spooled}`,
        '# TYPE nexus_storage_quarantined gauge',
        `nexus_storage_quarantined ${storage.quarantined}`,
        '# TYPE nexus_storage_spool_bytes gauge',
        `nexus_storage_spool_bytes ${storage.spoolBytes}`,
        '# TYPE nexus_storage_degraded gauge',
        `nexus_storage_degraded ${storage.degraded ? 1 : 0}`,
      )
    }
    return lines.join('\n') + '\n'
  }
}
