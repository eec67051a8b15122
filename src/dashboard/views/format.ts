/** Display formatting shared by every page. Pure; no locale surprises (fixed en-US digits, UTC). */

const int = new Intl.NumberFormat('en-US')

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : int.format(n)
}

/** 950, 12.3k, 4.5M. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–'
  const abs = Math.abs(n)
  if (abs >= 1e9) return `${(n / 1e9).toFixed(1)}B`
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  return int.format(n)
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '–'
  if (usd === 0) return '$0'
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`
  return `$${usd.toFixed(2)}`
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–'
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** `2026-11-25 14:03:22` in UTC. */
export function formatTime(at: Date | string | null | undefined): string {
  if (at === null || at === undefined) return '–'
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return '–'
  return d.toISOString().slice(0, 19).replace('T', ' ')
}

export function isoTime(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString()
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '–'
}

/** A short model label: `claude-sonnet-4-5-20250929` → `sonnet-4-5-20250929`. */
export function shortModel(model: string | null | undefined): string {
  if (!model) return '–'
  return model.replace(/^claude-/, '')
}

export function percent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`
}
