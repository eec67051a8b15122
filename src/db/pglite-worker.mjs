// Worker thread that owns the embedded PGlite database. PGlite runs queries synchronously
// on the thread that hosts it, so it lives here and never blocks the proxy's event loop.
// Plain JavaScript so the worker starts without a TypeScript loader.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, types } from '@electric-sql/pglite'

// Match the pg driver's parsing as configured in postgres.ts: numbers as JS numbers.
const parsers = {
  [types.INT8]: (v) => Number(v),
  [types.NUMERIC]: (v) => Number(v),
}

// PGlite's initdb writes shared_buffers = 128MB, and the WebAssembly heap never shrinks, so
// that cache alone holds 128 MB for good. The proxy's working set is small and the OS page
// cache still caches the files: 16MB keeps the embedded process light (see docs/storage.md).
const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']

// A template (a tarball of a created and migrated data directory) turns a first start into
// an unpack instead of initdb plus every migration.
const loadDataDir = workerData.template
  ? new Blob([await readFile(workerData.template)])
  : undefined

const db = new PGlite(workerData.dataDir ?? undefined, {
  parsers,
  startParams,
  ...(loadDataDir ? { loadDataDir } : {}),
})

function serializeError(err) {
  return { message: err?.message ?? String(err), code: err?.code, detail: err?.detail }
}

/** Writes the data directory as a tarball to `path`, atomically (temp file, then rename). */
async function dump(path) {
  const tar = await db.dumpDataDir('none')
  const partial = `${path}.${process.pid}.${Date.now()}.partial`
  await writeFile(partial, Buffer.from(await tar.arrayBuffer()), { mode: 0o600 })
  await rename(partial, path)
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
    } else if (msg.kind === 'memory') {
      const { heapUsed, external, arrayBuffers } = process.memoryUsage()
      const memory = { heapUsed, external, arrayBuffers, wasm: db.Module.HEAPU8.length }
      parentPort.postMessage({ id: msg.id, rows: [memory], affectedRows: 0 })
    } else if (msg.kind === 'dump') {
      await dump(msg.path)
      parentPort.postMessage({ id: msg.id, rows: [], affectedRows: 0 })
    } else if (msg.kind === 'close') {
      await db.close()
      parentPort.postMessage({ id: msg.id, rows: [], affectedRows: 0 })
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: serializeError(err) })
  }
})
