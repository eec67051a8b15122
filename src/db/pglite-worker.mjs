// Worker thread that owns the embedded PGlite database. PGlite runs queries synchronously
// on the thread that hosts it, so it lives here and never blocks the proxy's event loop.
// Plain JavaScript so the worker starts without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, types } from '@electric-sql/pglite'

// Match the pg driver's parsing as configured in postgres.ts: numbers as JS numbers.
const parsers = {
  [types.INT8]: (v) => Number(v),
  [types.NUMERIC]: (v) => Number(v),
}

const db = new PGlite(workerData.dataDir ?? undefined, { parsers })

function serializeError(err) {
  return { message: err?.message ?? String(err), code: err?.code, detail: err?.detail }
}

parentPort.on('message', async (msg) => {
  try {
    await db.waitReady
    if (msg.kind === 'query' && msg.params.length > 0) {
      // The constructor's `parsers` do not reach query(); without them numeric is a string.
      const result = await db.query(msg.sql, msg.params, { rowMode: 'object', parsers })
      parentPort.postMessage({
        id: msg.id,
        rows: result.rows,
        affectedRows: result.affectedRows ?? 0,
      })
    } else if (msg.kind === 'query') {
      // Without parameters use the simple protocol, which accepts several statements
      // (migration scripts), as node-postgres does.
      const results = await db.exec(msg.sql, { parsers })
      const last = results.at(-1)
      parentPort.postMessage({
        id: msg.id,
        rows: last?.rows ?? [],
        affectedRows: last?.affectedRows ?? 0,
      })
    } else if (msg.kind === 'exec') {
      await db.exec(msg.sql)
      parentPort.postMessage({ id: msg.id, rows: [], affectedRows: 0 })
    } else if (msg.kind === 'close') {
      await db.close()
      parentPort.postMessage({ id: msg.id, rows: [], affectedRows: 0 })
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: serializeError(err) })
  }
})
