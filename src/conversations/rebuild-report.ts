import type { LinkDifference } from './link-batch.ts'
import type { RebuildReport } from './rebuild-conversations.ts'

const FIELDS = [
  ['requestType', 'request_type'],
  ['conversationId', 'conversation_id'],
  ['branchId', 'branch_id'],
  ['linkKind', 'link_kind'],
  ['parentRequestId', 'parent_request_id'],
  ['isSubtask', 'is_subtask'],
  ['parentTaskRequestId', 'parent_task_request_id'],
] as const

/** What `nexus conversations rebuild` prints on stdout. */
export function formatRebuildReport(report: RebuildReport): string {
  const would = report.committed ? '' : ' would'
  const lines = [
    `Relinked ${report.requests} requests${report.committed ? '.' : ' (dry run: nothing was written).'}`,
  ]
  if (report.changedRequests === 0 && report.changedConversations === 0) {
    lines.push('No differences: the stored links are what a rebuild gives.')
    return lines.join('\n')
  }
  lines.push(
    `${report.changedRequests} request${plural(report.changedRequests)}${would} change${report.committed ? 'd' : ''}:`,
  )
  for (const difference of report.requestSample) lines.push(`  ${describe(difference)}`)
  more(lines, report.changedRequests, report.requestSample.length)
  lines.push(
    `${report.changedConversations} conversation${plural(report.changedConversations)}${would} change${report.committed ? 'd' : ''}:`,
  )
  for (const c of report.conversationSample) lines.push(`  ${c.conversationId} (${c.change})`)
  more(lines, report.changedConversations, report.conversationSample.length)
  return lines.join('\n')
}

function describe(d: LinkDifference): string {
  const changes = FIELDS.filter(([field]) => d.before[field] !== d.after[field]).map(
    ([field, column]) => `${column} ${String(d.before[field])} → ${String(d.after[field])}`,
  )
  return `seq ${d.seq} ${d.requestId}: ${changes.join(', ')}`
}

function more(lines: string[], count: number, shown: number) {
  if (count > shown) lines.push(`  … and ${count - shown} more`)
}

function plural(n: number): string {
  return n === 1 ? '' : 's'
}
