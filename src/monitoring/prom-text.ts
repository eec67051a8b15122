// Pieces of the Prometheus text format (version 0.0.4), shared by our own metric families
// and the prom-client registry renderer so that both write the same bytes.

/** `# HELP` and `# TYPE` lines of one metric. */
export function header(name: string, help: string, type: string): [string, string] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`]
}

/** `a="x",b="y"` for label names and their values, in that order. */
export function labelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`).join(',')
}

/**
 * A sample line up to its value: `name{labels} ` or `name `. Joined from an array on
 * purpose: V8 keeps a string built with `+` or a template as a tree of its parts, which
 * every scrape would walk again to copy this prefix; `join` returns one flat string.
 */
export function linePrefix(name: string, pairs: string): string {
  return (pairs ? [name, '{', pairs, '} '] : [name, ' ']).join('')
}

export function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf'
  return String(value)
}

export function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}
