import assert from 'node:assert/strict'
import { test } from 'node:test'
import { controlRoutes } from './control-routes.ts'
import { ProxyMetrics } from './proxy-metrics.ts'

test('health endpoints answer without auth and report a database that is down', async () => {
  const metrics = new ProxyMetrics()
  const app = controlRoutes({
    writer: null,
    metrics,
    ping: () => Promise.reject(new Error('down')),
  })
  assert.deepEqual(await (await app.request('/health/live')).json(), { status: 'ok' })
  assert.deepEqual(await (await app.request('/health/ready')).json(), {
    status: 'degraded',
    database: 'down',
    storage: 'disabled',
    problems: ['database unreachable'],
    queued: 0,
    spoolBytes: 0,
    quarantined: 0,
  })
})

test('metrics count requests by status class and outcome', async () => {
  const metrics = new ProxyMetrics()
  metrics.observe(200, 'done')
  metrics.observe(200, 'client_abort')
  metrics.observe(502, 'upstream_error')
  const app = controlRoutes({ writer: null, metrics, ping: () => Promise.resolve() })
  const text = await (await app.request('/metrics')).text()
  assert.match(text, /^nexus_proxy_requests_total\{status="2xx"\} 2$/m)
  assert.match(text, /^nexus_proxy_requests_total\{status="5xx"\} 1$/m)
  assert.match(text, /^nexus_proxy_upstream_errors_total 1$/m)
  assert.match(text, /^nexus_proxy_client_aborts_total 1$/m)
})

test('unknown paths get a 404 in Anthropic’s error shape', async () => {
  const app = controlRoutes({
    writer: null,
    metrics: new ProxyMetrics(),
    ping: () => Promise.resolve(),
  })
  const res = await app.request('/nope')
  assert.equal(res.status, 404)
  assert.deepEqual(await res.json(), {
    type: 'error',
    error: { type: 'not_found_error', message: 'No route for GET /nope' },
  })
})
