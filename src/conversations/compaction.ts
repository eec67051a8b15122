import type { MessageParam } from '../anthropic-types.ts'
import { textsOf } from './message-text.ts'
import { normalizeMessages } from './normalize-messages.ts'

export type CompactionFormat = 'legacy' | 'current'

export interface Compaction {
  format: CompactionFormat
  /** The text after Claude Code's fixed preamble. */
  summary: string
}

const HEADER = words(
  'This session is being continued from a previous conversation that ran out of context.',
)
const LEADS: readonly { format: CompactionFormat; lead: RegExp }[] = [
  { format: 'legacy', lead: words('The conversation is summarized below:') },
  {
    format: 'current',
    lead: words('The summary below covers the earlier portion of the conversation.'),
  },
]
// A newer Claude Code may put a short note before the preamble; a real summary never starts
// further in than this.
const MAX_HEADER_OFFSET = 1000

/**
 * Whether this request continues a compacted conversation: its first user message (after
 * reminders) carries Claude Code's continuation summary. An unknown wording after the fixed
 * first sentence is taken as the current format.
 */
export function detectCompaction(messages: readonly MessageParam[]): Compaction | null {
  const first = normalizeMessages(messages)[0]
  if (first?.role !== 'user') return null
  for (const text of textsOf(first)) {
    const found = continuationOf(text)
    if (found !== null) return found
  }
  return null
}

function continuationOf(text: string): Compaction | null {
  const header = HEADER.exec(text)
  if (header === null || header.index > MAX_HEADER_OFFSET) return null
  const rest = text.slice(header.index + header[0].length).trimStart()
  for (const { format, lead } of LEADS) {
    const match = lead.exec(rest)
    if (match?.index === 0) return { format, summary: rest.slice(match[0].length).trim() }
  }
  return { format: 'current', summary: rest.trim() }
}

// Tolerates line breaks or double spaces inside the fixed sentences.
function words(sentence: string): RegExp {
  const escaped = sentence.split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(escaped.join('\\s+'), 'i')
}
