import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  type GetPromptResult,
} from '@modelcontextprotocol/sdk/types.js'
import { missingArguments } from './prompt-definition.ts'
import type { PromptSet } from './prompt-catalog.ts'

export const SERVER_INFO = { name: 'claude-nexus-proxy', version: '0.1.0' }

/**
 * One MCP server per session, serving the prompt set of the session's domain. The set is looked
 * up on every request, so a reload is visible at once. The handlers are set on the SDK's
 * protocol server because the prompts change at run time and per domain; McpServer's
 * registerPrompt would need zod schemas built from each file and re-registered on every reload.
 */
export function createPromptServer(prompts: () => PromptSet): McpServer {
  const mcp = new McpServer(SERVER_INFO, { capabilities: { prompts: { listChanged: true } } })
  mcp.server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: prompts().list }))
  mcp.server.setRequestHandler(GetPromptRequestSchema, (request) =>
    getPrompt(prompts(), request.params.name, request.params.arguments ?? {}),
  )
  return mcp
}

/** `prompts/get`: a missing prompt or required argument is InvalidParams, naming it. */
export function getPrompt(
  set: PromptSet,
  name: string,
  args: Record<string, string>,
): GetPromptResult {
  const prompt = set.get(name)
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Prompt not found: ${name}`)
  const missing = missingArguments(prompt, args)
  if (missing.length > 0) {
    const list = missing.map((m) => `"${m}"`).join(', ')
    throw new McpError(
      ErrorCode.InvalidParams,
      `Missing required argument${missing.length > 1 ? 's' : ''} ${list} for prompt "${name}"`,
    )
  }
  let text: string
  try {
    text = prompt.render(args)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new McpError(ErrorCode.InternalError, `Prompt "${name}" failed to render: ${reason}`)
  }
  const result: GetPromptResult = { messages: [{ role: 'user', content: { type: 'text', text } }] }
  if (prompt.description !== undefined) result.description = prompt.description
  return result
}
