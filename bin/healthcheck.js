#!/usr/bin/env node
// The container's HEALTHCHECK: exits 0 when /health/live answers 200 on PORT or on
// DASHBOARD_PORT (a `nexus dashboard` container listens on the second only), else 1.
// Plain node, no dependencies; never run by the application itself.
const ports = [process.env.PORT ?? '3000', process.env.DASHBOARD_PORT ?? '3001']

async function live(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/live`, {
      signal: AbortSignal.timeout(3000),
    })
    return res.status === 200
  } catch {
    return false
  }
}

for (const port of ports) if (await live(port)) process.exit(0)
process.exit(1)
