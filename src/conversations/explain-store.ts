import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { factsOf, linksOf, spawnOf, type FactColumns, type SpawnRow } from './conversation-store.ts'
import type { ExplainSubject } from './explain-link.ts'
import type { LinkKind } from './link-model.ts'

interface SubjectRow extends FactColumns {
  seq: number
  request_id: string
  timestamp: Date | string
  domain: string
  request_type: string | null
  session_id: string | null
  agent_id: string | null
  compaction_call: string | null
  conversation_id: string | null
  branch_id: string | null
  link_kind: LinkKind | null
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
  has_children: boolean
}

/**
 * One stored request with its link facts, links and spawns; `before` is the seq of the
 * request it is compared with: children that came later did not exist when that one was
 * linked. Undefined when there is no such request.
 */
export async function findExplainSubject(
  db: Database,
  requestId: string,
  before: number | null = null,
): Promise<ExplainSubject | undefined> {
  const rows = await sql<SubjectRow>`
    select r.seq, r.request_id, r.timestamp, r.domain, r.request_type, r.session_id, r.agent_id,
      r.link_facts_version, r.current_message_hash, r.parent_message_hash,
      r.grandparent_message_hash, r.system_hash, r.subagent_prompt_hash, r.compaction_format,
      r.compaction_session_id, r.compaction_summary_hash, r.asks_compaction, r.compaction_call,
      r.conversation_id, r.branch_id, r.link_kind, r.parent_request_id, r.is_subtask,
      r.parent_task_request_id,
      exists (select 1 from api_requests c where c.parent_request_id = r.request_id
        and c.link_kind in ('parent', 'grandparent', 'agent')
        and (${before}::bigint is null or c.seq < ${before}::bigint)) as has_children
    from api_requests r where r.request_id = ${requestId}`.execute(db.kysely)
  const r = rows.rows[0]
  if (!r) return undefined
  const spawns = await sql<SpawnRow>`
    select * from conversation_spawns where request_id = ${requestId} order by tool_index`.execute(
    db.kysely,
  )
  return {
    requestId: r.request_id,
    seq: r.seq,
    domain: r.domain,
    timestamp: new Date(r.timestamp),
    requestType: r.request_type,
    sessionId: r.session_id,
    agentId: r.agent_id,
    facts: r.link_facts_version === null ? null : factsOf(r),
    links: linksOf(r),
    compactionCall: r.compaction_call,
    hasChildren: r.has_children,
    spawns: spawns.rows.map(spawnOf),
  }
}
