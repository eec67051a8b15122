import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the JavaScript heap grow past what survived the last full collection
 * before it collects again, in percent. V8's own factor reaches 4× when collections are
 * cheap; the proxy turns each large request into several megabytes of short-lived strings
 * (text, parsed JSON, hashes, search text), which go straight to the old generation, so
 * under 1 MB requests the main thread's heap stood at 0.6–1 GB of garbage. At 20 % it stays
 * near 200 MB (docs/benchmarks.md, "Memory (embedded database)").
 */
export const EMBEDDED_HEAP_GROWING_PERCENT = 20

/**
 * For the process that hosts PGlite, whose whole footprint is the user's machine's. V8
 * reads this flag each time it sets the next collection's limit, so setting it at run time
 * takes effect from the next full collection on, for every thread of the process.
 */
export function limitHeapGrowth(percent = EMBEDDED_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`)
}
