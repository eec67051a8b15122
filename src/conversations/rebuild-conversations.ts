import { linkBatch, type LinkDifference } from './link-batch.ts'
import type { ConversationChange, ConversationStore } from './store-ports.ts'

export interface RebuildOptions {
  /** Compute and report the differences, then roll everything back. */
  dryRun?: boolean
  /** Derive request types and hashes from the stored bodies again (after a rule change). */
  rehash?: boolean
  batchSize?: number
  /** Keep this many differences of each kind in the report. */
  sampleSize?: number
  onProgress?: (done: number, total: number) => void
}

export interface RebuildReport {
  requests: number
  /** Requests whose links (or request type) the rebuild changed. */
  changedRequests: number
  requestSample: LinkDifference[]
  changedConversations: number
  conversationSample: ConversationChange[]
  committed: boolean
}

/**
 * Relinks all stored history in seq order with the code live linking uses, in one transaction
 * that holds the linker lock: readers see the old links until it commits, live linkers wait
 * and then carry on from where it stopped. A dry run reports what would change and rolls back.
 */
export async function rebuildConversations(
  store: ConversationStore,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const { batchSize = 2000, sampleSize = 20, dryRun = false } = options
  return store.rebuilding(
    async (tx) => {
      const total = await tx.restart({ rehash: options.rehash ?? false })
      const report: RebuildReport = {
        requests: 0,
        changedRequests: 0,
        requestSample: [],
        changedConversations: 0,
        conversationSample: [],
        committed: !dryRun,
      }
      const onDifference = (difference: LinkDifference) => {
        report.changedRequests++
        if (report.requestSample.length < sampleSize) report.requestSample.push(difference)
      }
      options.onProgress?.(0, total)
      for (;;) {
        const read = await linkBatch(tx, batchSize, onDifference)
        report.requests += read
        options.onProgress?.(report.requests, Math.max(total, report.requests))
        if (read < batchSize) break
      }
      const conversations = await tx.conversationDifferences(sampleSize)
      report.changedConversations = conversations.count
      report.conversationSample = conversations.sample
      return report
    },
    { commit: !dryRun },
  )
}
