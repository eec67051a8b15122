/**
 * The parts of Anthropic's Messages API wire format that the proxy reads. Deliberately
 * loose: fields we do not interpret stay `unknown` and are stored untouched.
 */
export interface Usage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  /** Split of cache writes by TTL, when upstream reports it. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number }
  server_tool_use?: { web_search_requests?: number; web_fetch_requests?: number }
  service_tier?: string
  /** `fast` when fast mode served the request (billed at the model's fast multiplier). */
  speed?: string
  /** Where inference ran: `us` is billed at the data-residency multiplier. */
  inference_geo?: string
}

export interface TextBlock {
  type: 'text'
  text: string
  citations?: unknown[]
  cache_control?: unknown
}

export interface ThinkingBlock {
  type: 'thinking'
  thinking: string
  signature?: string
}

export interface ToolUseBlock {
  type: 'tool_use' | 'server_tool_use'
  id: string
  name: string
  input: unknown
}

export interface ToolResultBlock {
  type: 'tool_result'
  tool_use_id: string
  content?: string | ContentBlock[]
  is_error?: boolean
}

/** Anything else (images, documents, redacted thinking, server tool results…). */
export interface OtherBlock {
  type: string
  [key: string]: unknown
}

export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock | OtherBlock

export interface MessageParam {
  role: 'user' | 'assistant' | 'system'
  content: string | ContentBlock[]
}

export interface AnthropicMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: ContentBlock[]
  stop_reason: string | null
  stop_sequence: string | null
  usage: Usage
  [key: string]: unknown
}
