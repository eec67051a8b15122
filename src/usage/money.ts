/**
 * Money is summed as integer nano-dollars (1e-9 USD) and turned into a USD number only at
 * the edge. Every published rate has at most three decimals in USD per million tokens, so
 * one token costs a whole number of nano-dollars and sums stay exact up to 2^53 n$ (about
 * nine million dollars) — no floating drift however many requests are added.
 */
export const NANO_PER_USD = 1_000_000_000

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD
}

/** For amounts that arrive as USD (stored rows, callers' totals). */
export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD)
}

/** A rate in USD per million tokens as nano-dollars per token ($3/MTok → 3000 n$). */
export function nanoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1000)
}
