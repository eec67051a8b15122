import type { ContentBlock } from '../../anthropic-types.ts'

/** A built block, and whether its streamed tool input failed to parse as JSON. */
export interface BuiltBlock {
  block: ContentBlock
  inputUnparsed: boolean
}

/**
 * One content block under construction: the block as content_block_start announced it plus
 * the deltas since. Text arrives as many small pieces, so pieces are kept and joined once
 * in `build()` rather than concatenated per delta.
 */
export class ContentBlockBuilder {
  readonly #start: Record<string, unknown>
  readonly #text: string[] = []
  readonly #thinking: string[] = []
  readonly #citations: unknown[] = []
  #json: string[] | null = null
  #signature: string | undefined = undefined

  constructor(start: Record<string, unknown>) {
    this.#start = start
  }

  /** Applies one content_block_delta `delta`; deltas that do not fit this block are ignored. */
  apply(delta: Record<string, unknown>): void {
    const type = this.#start['type']
    switch (delta['type']) {
      case 'text_delta':
        if (type === 'text' && typeof delta['text'] === 'string') this.#text.push(delta['text'])
        break
      case 'citations_delta':
        if (type === 'text' && delta['citation'] !== undefined) {
          this.#citations.push(delta['citation'])
        }
        break
      case 'thinking_delta':
        if (type === 'thinking' && typeof delta['thinking'] === 'string') {
          this.#thinking.push(delta['thinking'])
        }
        break
      case 'signature_delta':
        // The signature arrives whole in one delta, just before the block stops.
        if (type === 'thinking' && typeof delta['signature'] === 'string') {
          this.#signature = delta['signature']
        }
        break
      case 'input_json_delta':
        // Any block may stream its input (tool_use, server_tool_use, mcp_tool_use…).
        if (typeof delta['partial_json'] === 'string') {
          this.#json ??= []
          this.#json.push(delta['partial_json'])
        }
        break
    }
  }

  build(): BuiltBlock {
    const block: Record<string, unknown> = { ...this.#start }
    if (this.#text.length > 0) block['text'] = stringField(block, 'text') + this.#text.join('')
    if (this.#thinking.length > 0) {
      block['thinking'] = stringField(block, 'thinking') + this.#thinking.join('')
    }
    if (this.#signature !== undefined) block['signature'] = this.#signature
    if (this.#citations.length > 0) {
      const earlier = Array.isArray(block['citations']) ? (block['citations'] as unknown[]) : []
      block['citations'] = [...earlier, ...this.#citations]
    }
    let inputUnparsed = false
    if (this.#json !== null) {
      const input = parseInput(this.#json.join(''))
      block['input'] = input.value
      inputUnparsed = !input.parsed
    }
    return { block: toContentBlock(block), inputUnparsed }
  }
}

/** Parses streamed tool input. A tool called without arguments streams nothing: that is `{}`. */
function parseInput(json: string): { value: unknown; parsed: boolean } {
  if (json.trim() === '') return { value: {}, parsed: true }
  try {
    return { value: JSON.parse(json) as unknown, parsed: true }
  } catch {
    // Cut-off or fine-grained tool streaming can leave invalid JSON; keep it for the record.
    return { value: json, parsed: false }
  }
}

function stringField(block: Record<string, unknown>, key: string): string {
  const value = block[key]
  return typeof value === 'string' ? value : ''
}

function toContentBlock(block: Record<string, unknown>): ContentBlock {
  const type = block['type']
  return { ...block, type: typeof type === 'string' ? type : 'unknown' }
}
