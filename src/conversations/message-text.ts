import type { NormalizedMessage } from './normalize-messages.ts'
import { isRecord, stringField } from './records.ts'

/** Texts of a normalised message's text blocks (already reminder-free and trimmed). */
export function textsOf(message: NormalizedMessage): string[] {
  return message.content.flatMap((block) =>
    block.type === 'text' && typeof block.text === 'string' ? [block.text] : [],
  )
}

/** Texts of a `system` value or of a message's content: a string or an array of text blocks. */
export function rawTexts(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (!Array.isArray(value)) return []
  return value.flatMap((block) => {
    const text = isRecord(block) && block.type === 'text' ? stringField(block, 'text') : undefined
    return text === undefined ? [] : [text]
  })
}
