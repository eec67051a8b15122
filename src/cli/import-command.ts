import { DEFAULT_IMPORT_DOMAIN } from '../import/import-record.ts'
import { formatImportSummary, progressDetail } from '../import/import-report.ts'
import { createImportStore, linkImported } from '../import/import-store.ts'
import { importTranscripts } from '../import/import-transcripts.ts'
import { defaultTranscriptDir, findTranscripts } from '../import/find-transcripts.ts'
import { readPriceTable } from '../usage/price-file.ts'
import { costWith } from '../usage/request-cost.ts'
import { preflight } from './preflight.ts'
import { progressBar } from './progress-bar.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'

export const IMPORT_USAGE = `nexus import [PATH…] [--dry-run] [--domain NAME]

  Stores the API calls of Claude Code transcripts (~/.claude/projects/<project>/*.jsonl,
  sub-agents included) as requests marked imported: model, tokens, cost, time, and one
  conversation per session (docs/import.md). Running it again stores nothing twice.

  PATH         transcript files or folders (default: ~/.claude/projects)
  --dry-run    read and count everything, write nothing
  --domain     the domain imported requests are filed under (default: ${DEFAULT_IMPORT_DOMAIN})
`

interface ImportArgs {
  paths: string[]
  dryRun: boolean
  domain: string
}

function parseArgs(args: string[]): ImportArgs | undefined {
  const parsed: ImportArgs = { paths: [], dryRun: false, domain: DEFAULT_IMPORT_DOMAIN }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    if (arg === '--dry-run') parsed.dryRun = true
    else if (arg === '--domain') {
      const value = args[++i]
      if (!value) return undefined
      parsed.domain = value
    } else if (arg.startsWith('--domain=')) parsed.domain = arg.slice('--domain='.length)
    else if (arg.startsWith('-')) return undefined
    else parsed.paths.push(arg)
  }
  return parsed.domain === '' ? undefined : parsed
}

/** `nexus import …`; returns the exit code. */
export async function importCommand(args: string[]): Promise<number> {
  const parsed = parseArgs(args)
  if (!parsed) {
    console.error(IMPORT_USAGE)
    return 2
  }
  const files = await findTranscripts(
    parsed.paths.length > 0 ? parsed.paths : [defaultTranscriptDir()],
  ).catch((err: unknown) => {
    console.error(`nexus import: ${(err as Error).message}`)
    return undefined
  })
  if (!files) return 1
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: 'nexus import', database: true })
  const opened = await openDatabase(config, log)
  try {
    const bar = progressBar(process.stderr, 'files')
    const summary = await importTranscripts(files, {
      store: createImportStore(opened.db),
      costOf: costWith(readPriceTable(config.usage.pricingFile)),
      domain: parsed.domain,
      dryRun: parsed.dryRun,
      onProgress: (p) => bar.update(p.files, p.totalFiles, progressDetail(p)),
    })
    bar.finish()
    if (!parsed.dryRun && summary.imported > 0) await linkImported(opened.db)
    console.log(formatImportSummary(summary, parsed.dryRun))
    return 0
  } finally {
    await opened.close()
  }
}
