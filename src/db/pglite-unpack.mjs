// Unpacks a template tarball (pglite-template.ts) into a new PGlite data directory, in a
// process of its own: `node pglite-unpack.mjs <template> <dataDir>`. A worker thread's
// memory stays with the process that ran it (the allocator keeps the freed pages), and the
// proxy sat ~50 MB higher for good after a first start; a process returns everything.
// Plain JavaScript so it starts without a TypeScript loader.
import { readFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'

const [template, dataDir] = process.argv.slice(2)
if (!template || !dataDir) {
  console.error('usage: pglite-unpack.mjs <template.tar> <dataDir>')
  process.exit(2)
}
const db = new PGlite(dataDir, { loadDataDir: new Blob([await readFile(template)]) })
await db.query('select 1')
await db.close()
