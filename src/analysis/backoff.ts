/**
 * Delay before attempt `attempts + 1`: exponential from `baseMs`, capped, with full jitter in
 * its upper half so workers that failed together (a provider outage) do not retry together.
 */
export function retryDelayMs(
  attempts: number,
  random: () => number = Math.random,
  baseMs = 5_000,
  capMs = 10 * 60_000,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(exp / 2 + (random() * exp) / 2)
}
