import { deriveRequest, LINK_FACTS_VERSION } from '../conversations/link-facts.ts'
import type { DeriveFacts } from './record-exchange.ts'

/**
 * Request type, session evidence and link facts, by the rules in src/conversations. Runs
 * when the record is built, after the client has its response; the linker then works from
 * these stored columns and never reads the body back.
 */
export const deriveRequestFacts: DeriveFacts = (stored) => {
  const derived = deriveRequest(stored)
  const inference = derived.requestType === 'inference'
  return {
    requestType: derived.requestType,
    sessionId: derived.sessionId,
    agentId: derived.agentId,
    linkFactsVersion: inference ? LINK_FACTS_VERSION : null,
    linkFacts: derived.facts,
  }
}
