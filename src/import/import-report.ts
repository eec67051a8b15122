import type { ImportProgress, ImportSummary } from './import-transcripts.ts'

/** The progress bar's suffix: lines read and the rate in messages per second. */
export function progressDetail(p: ImportProgress): string {
  const seconds = Math.max(p.elapsedMs, 1) / 1000
  return `${p.lines} lines  ${p.messages} messages  ${Math.round(p.messages / seconds)} msg/s`
}

// Listing thousands of bad lines helps nobody; the count is always exact.
const LISTED = 20

/** The summary printed at the end of `nexus import`. */
export function formatImportSummary(s: ImportSummary, dryRun: boolean): string {
  const seconds = s.elapsedMs / 1000
  const verb = dryRun ? 'would import' : 'imported'
  const lines = [
    `${dryRun ? 'dry run: nothing written. ' : ''}${s.files} files, ${s.lines} lines, ` +
      `${s.messages} API messages in ${seconds.toFixed(1)} s ` +
      `(${Math.round(s.messages / Math.max(seconds, 0.001))} messages/s)`,
    `${verb} ${s.imported}, already stored ${s.alreadyStored}`,
    `tokens ${verb}: input ${s.tokens.input}, output ${s.tokens.output}, ` +
      `cache writes ${s.tokens.cacheWrite}, cache reads ${s.tokens.cacheRead}`,
    `cost ${verb}: $${s.costUsd.toFixed(6)}` +
      (s.unpriced > 0 ? ` (${s.unpriced} messages of unpriced models not counted)` : ''),
  ]
  if (s.malformed.length > 0) {
    lines.push(`${s.malformed.length} malformed lines skipped:`)
    for (const m of s.malformed.slice(0, LISTED)) lines.push(`  ${m.file}:${m.line}: ${m.reason}`)
    if (s.malformed.length > LISTED) lines.push(`  … and ${s.malformed.length - LISTED} more`)
  }
  for (const f of s.incomplete) {
    lines.push(`${f.file}:${f.line}: still being written; read up to the line before`)
  }
  for (const f of s.unreadable) lines.push(`${f.file}: could not be read: ${f.error}`)
  return lines.join('\n')
}
