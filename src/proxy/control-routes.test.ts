import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Hono } from 'hono'
import { controlRoutes } from './control-routes.ts'

test('unknown paths get a 404 in Anthropic’s error shape', async () => {
  const app = controlRoutes({ health: new Hono(), metrics: null })
  const res = await app.request('/nope')
  assert.equal(res.status, 404)
  assert.deepEqual(await res.json(), {
    type: 'error',
    error: { type: 'not_found_error', message: 'No route for GET /nope' },
  })
})

test('without the metrics route /metrics is a 404', async () => {
  const app = controlRoutes({ health: new Hono(), metrics: null })
  assert.equal((await app.request('/metrics')).status, 404)
})
