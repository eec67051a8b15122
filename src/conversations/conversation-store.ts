import { sql, type RawBuilder, type Transaction } from 'kysely'
import type { Database } from '../db/database.ts'
import type { Tables } from '../db/schema.ts'
import type { CompactionFormat } from './compaction.ts'
import { LINK_FACTS_VERSION, linkFactColumns, type LinkFacts } from './link-facts.ts'
import { CANDIDATES_PER_KEY } from './link-index.ts'
import type {
  BatchWrites,
  ConversationState,
  LinkedRequest,
  LinkKind,
  LookupKeys,
  PendingRequest,
  Prefetched,
  RequestLinks,
  SpawnState,
} from './link-model.ts'
import type { ConversationChange, ConversationStore, RebuildTransaction } from './store-ports.ts'

// Advisory lock keys: (727011, schema) is the linker, one process at a time per installation.
// 727010 is taken by the insert trigger of 010_conversation_links.sql.
const LINKER_LOCK = 727_011

/** The linker's storage on PostgreSQL or PGlite. */
export function createConversationStore(db: Database): ConversationStore {
  // PGlite has one connection: a transaction there already excludes every other.
  const tryLock =
    db.backend === 'postgres'
      ? sql`pg_try_advisory_xact_lock(${LINKER_LOCK}, hashtext(current_schema()))`
      : sql`true`
  return {
    async tryLinking(fn) {
      try {
        return await db.kysely.transaction().execute((trx) => fn(new LinkTx(trx, tryLock)))
      } catch (err) {
        if (err instanceof LockTaken) return undefined
        throw err
      }
    },
    async rebuilding(fn, { commit }) {
      try {
        return await db.kysely.transaction().execute(async (trx) => {
          if (db.backend === 'postgres') {
            await sql`select pg_advisory_xact_lock(${LINKER_LOCK}, hashtext(current_schema()))`.execute(
              trx,
            )
          }
          const result = await fn(new LinkTx(trx, tryLock))
          if (!commit) throw new RollBack(result)
          return result
        })
      } catch (err) {
        if (err instanceof RollBack) return err.result as Awaited<ReturnType<typeof fn>>
        throw err
      }
    },
  }
}

class RollBack extends Error {
  constructor(readonly result: unknown) {
    super('dry run: rolled back')
  }
}

class LockTaken extends Error {
  constructor() {
    super('another process is linking')
  }
}

type Trx = Transaction<Tables>

class LinkTx implements RebuildTransaction {
  #rehash = false

  constructor(
    private readonly trx: Trx,
    private readonly tryLock: RawBuilder<unknown>,
  ) {}

  // One round trip: the lock (re-entrant, so every batch may ask), the mark, and the requests
  // after it. Links are derived data, so this transaction does not wait for its WAL flush: a
  // crash can only lose links that the next pass makes again. JIT is off: the lookups below are
  // index probes that the planner, guessing 100 keys per jsonb_to_recordset, would otherwise
  // spend seconds compiling. Imported rows (`nexus import`, no request body) keep the facts
  // they were stored with: there is no body to derive them from.
  async readPending(limit: number): Promise<{ linkedThrough: number; requests: PendingRequest[] }> {
    const rows = await sql<PendingRow & { locked: boolean; mark: number }>`
      with state as materialized (
        select ${this.tryLock} as locked, set_config('synchronous_commit', 'off', true) as async_commit,
          set_config('jit', 'off', true) as no_jit, (select linked_through from conversation_link_state) as mark)
      select state.locked, state.mark, next.* from state left join lateral (
        select seq, request_id, timestamp, domain, account_id, model, request_type, message_count,
          total_tokens, session_id, agent_id, link_facts_version, current_message_hash,
          parent_message_hash, grandparent_message_hash, system_hash, subagent_prompt_hash,
          compaction_format, compaction_session_id, compaction_summary_hash, asks_compaction,
          compaction_call, conversation_id, branch_id, link_kind,
          parent_request_id, is_subtask, parent_task_request_id, needs_facts,
          case when needs_facts then method end as method,
          case when needs_facts then path end as path,
          case when needs_facts then request_headers end as request_headers,
          case when needs_facts then nexus_request_body(body, body_segments, body_refs, body_list, body_tail) end as body,
          case when (${this.#rehash} or request_type is null or request_type = 'inference')
              and (tool_call_count > 0 or needs_facts or asks_compaction)
            then response_body -> 'content' end as response_content
        from (select r.*, r.source is null and (${this.#rehash} or ((link_facts_version is null or link_facts_version < ${LINK_FACTS_VERSION})
                and (request_type is null or request_type = 'inference'))) as needs_facts
              from api_requests r where state.locked and r.seq > state.mark order by r.seq limit ${limit}) r
      ) next on true
      order by next.seq`.execute(this.trx)
    const first = rows.rows[0]
    if (!first?.locked) throw new LockTaken()
    const requests = first.seq === null ? [] : rows.rows.map((r) => pendingOf(r, this.#rehash))
    return { linkedThrough: first.mark, requests }
  }

  // Rows up to the mark are linked, and a linked row is one with a message hash (set only on
  // linked inference requests) or a link kind; rows above the mark may still carry a rebuild's
  // old links and are never candidates. One round trip for requests, spawns and the
  // conversations they belong to.
  async prefetch(keys: LookupKeys, w: number): Promise<Prefetched> {
    const found = [
      keys.hashes.length > 0 &&
        sql`select l.* from jsonb_to_recordset(${JSON.stringify(keys.hashes)}::jsonb) as k(domain text, hash text)
          cross join lateral (select ${LINKED_COLUMNS} from api_requests r
            where r.domain = k.domain and r.current_message_hash = k.hash and r.seq <= ${w}
            order by r.seq desc limit ${CANDIDATES_PER_KEY}) l`,
      keys.sessions.length > 0 &&
        sql`select l.* from jsonb_to_recordset(${JSON.stringify(keys.sessions)}::jsonb) as k(domain text, "sessionId" text, "agentId" text)
          cross join lateral (select ${LINKED_COLUMNS} from api_requests r
            where r.domain = k.domain and r.session_id = k."sessionId" and r.agent_id is not distinct from k."agentId"
              and r.link_kind is not null and r.seq <= ${w}
            order by r.seq desc limit ${CANDIDATES_PER_KEY}) l`,
      keys.summaries.length > 0 &&
        sql`select l.* from jsonb_to_recordset(${JSON.stringify(keys.summaries)}::jsonb) as k(domain text, "summaryKey" text)
          cross join lateral (select ${LINKED_COLUMNS} from api_requests r
            where r.domain = k.domain and r.compaction_call = k."summaryKey" and r.seq <= ${w}
            order by r.seq desc limit ${CANDIDATES_PER_KEY}) l`,
      keys.agents.length > 0 &&
        sql`select l.* from jsonb_to_recordset(${JSON.stringify(keys.agents)}::jsonb) as k(domain text, "agentId" text)
          cross join lateral (select ${LINKED_COLUMNS} from api_requests r
            where r.domain = k.domain and r.agent_id = k."agentId" and r.link_kind is not null and r.seq <= ${w}
            order by r.seq desc limit ${CANDIDATES_PER_KEY}) l`,
    ].filter((q) => q !== false)
    if (found.length === 0 && keys.prompts.length === 0)
      return { requests: [], spawns: [], conversations: [] }
    const spawned =
      keys.prompts.length > 0
        ? sql`select s.* from jsonb_to_recordset(${JSON.stringify(keys.prompts)}::jsonb) as k(domain text, "promptHash" text)
            cross join lateral (select * from conversation_spawns s
              where s.domain = k.domain and s.prompt_hash = k."promptHash"
              order by s.seq desc, s.tool_index limit ${CANDIDATES_PER_KEY}) s`
        : sql`select * from conversation_spawns where false`
    // Only the lookups this batch needs, in one round trip; LIMIT 1 keeps the child check an
    // index probe per candidate instead of a hashed scan of the table.
    const rows = await sql<{ kind: 'r' | 's' | 'c'; row: Record<string, unknown> }>`
      with found as (${found.length > 0 ? sql.join(found, sql` union `) : sql`select ${LINKED_COLUMNS} from api_requests r where false`}),
      linked as (
        select found.*, child.request_id is not null as has_children
        from found left join lateral (select c.request_id from api_requests c
            where c.parent_request_id = found.request_id and c.link_kind in ('parent', 'grandparent', 'agent')
              and c.seq <= ${w} limit 1) child on true
        where found.conversation_id is not null),
      spawned as (${spawned}),
      owning as (
        select c.* from conversations c
        where c.conversation_id = any (array(select conversation_id from linked union select conversation_id from spawned)))
      select 'r' as kind, to_jsonb(linked) as row from linked
      union all select 's', to_jsonb(spawned) from spawned
      union all select 'c', to_jsonb(owning) from owning`.execute(this.trx)
    const of = <T>(kind: string, map: (row: never) => T) =>
      rows.rows.filter((r) => r.kind === kind).map((r) => map(r.row as never))
    return {
      requests: of('r', linkedOf),
      spawns: of('s', spawnOf),
      conversations: of('c', conversationOf),
    }
  }

  async write(writes: BatchWrites): Promise<void> {
    await sql`
      with requests as (
        update api_requests a set request_type = v.request_type, session_id = v.session_id,
          agent_id = v.agent_id, link_facts_version = v.link_facts_version,
          current_message_hash = v.current_message_hash, parent_message_hash = v.parent_message_hash,
          grandparent_message_hash = v.grandparent_message_hash, system_hash = v.system_hash,
          subagent_prompt_hash = v.subagent_prompt_hash, compaction_format = v.compaction_format,
          compaction_session_id = v.compaction_session_id,
          compaction_summary_hash = v.compaction_summary_hash, asks_compaction = v.asks_compaction,
          compaction_call = v.compaction_call, conversation_id = v.conversation_id,
          branch_id = v.branch_id, link_kind = v.link_kind, parent_request_id = v.parent_request_id,
          is_subtask = v.is_subtask, parent_task_request_id = v.parent_task_request_id
        from jsonb_to_recordset(${JSON.stringify(writes.requests.map(requestRowOf))}::jsonb) as v(
          request_id uuid, request_type text, session_id text, agent_id text, link_facts_version smallint,
          current_message_hash text, parent_message_hash text, grandparent_message_hash text,
          system_hash text, subagent_prompt_hash text, compaction_format text, compaction_session_id text,
          compaction_summary_hash text, asks_compaction boolean, compaction_call text, conversation_id uuid, branch_id text, link_kind text, parent_request_id uuid,
          is_subtask boolean, parent_task_request_id uuid)
        where a.request_id = v.request_id
        returning 1),
      conversations as (
        insert into conversations (conversation_id, domain, account_id, started_at, last_at,
          request_count, message_count, total_tokens, models, branch_count, compact_count,
          spawn_count, subtask_count)
        select * from jsonb_to_recordset(${JSON.stringify(writes.conversations.map(conversationRowOf))}::jsonb) as v(
          conversation_id uuid, domain text, account_id text, started_at timestamptz, last_at timestamptz,
          request_count integer, message_count integer, total_tokens bigint, models text[],
          branch_count integer, compact_count integer, spawn_count integer, subtask_count integer)
        on conflict (conversation_id) do update set last_at = excluded.last_at,
          started_at = excluded.started_at, request_count = excluded.request_count,
          message_count = excluded.message_count, total_tokens = excluded.total_tokens,
          models = excluded.models, branch_count = excluded.branch_count,
          compact_count = excluded.compact_count, spawn_count = excluded.spawn_count,
          subtask_count = excluded.subtask_count
        returning 1),
      spawns as (
        insert into conversation_spawns (request_id, tool_index, seq, domain, prompt_hash,
          tool_use_id, session_id, conversation_id, subtask_number, claimed_by, claimed_agent_id)
        select * from jsonb_to_recordset(${JSON.stringify(writes.spawns.map(spawnRowOf))}::jsonb) as v(
          request_id uuid, tool_index integer, seq bigint, domain text, prompt_hash text,
          tool_use_id text, session_id text, conversation_id uuid, subtask_number integer,
          claimed_by uuid, claimed_agent_id text)
        on conflict (request_id, tool_index) do update set claimed_by = excluded.claimed_by,
          claimed_agent_id = excluded.claimed_agent_id
        returning 1)
      update conversation_link_state set linked_through = ${writes.linkedThrough}`.execute(this.trx)
  }

  async restart({ rehash }: { rehash: boolean }): Promise<number> {
    await sql`create temp table conversations_before on commit drop as select * from conversations`.execute(
      this.trx,
    )
    // DELETE rather than TRUNCATE: readers keep seeing the old conversations until commit.
    await sql`delete from conversations`.execute(this.trx)
    await sql`delete from conversation_spawns`.execute(this.trx)
    await sql`update conversation_link_state set linked_through = 0`.execute(this.trx)
    this.#rehash = rehash
    const count = await sql<{ n: number }>`select count(*)::bigint as n from api_requests`.execute(
      this.trx,
    )
    return count.rows[0]?.n ?? 0
  }

  async conversationDifferences(sample: number) {
    const rows = await sql<{
      conversation_id: string
      change: ConversationChange['change']
      total: number
    }>`
      select coalesce(c.conversation_id, b.conversation_id) as conversation_id,
        case when b.conversation_id is null then 'added' when c.conversation_id is null then 'removed'
          else 'changed' end as change,
        count(*) over () as total
      from conversations c full join conversations_before b on b.conversation_id = c.conversation_id
      where row(c.*) is distinct from row(b.*)
      order by 1 limit ${sample}`.execute(this.trx)
    return {
      count: rows.rows[0]?.total ?? 0,
      sample: rows.rows.map((r) => ({ conversationId: r.conversation_id, change: r.change })),
    }
  }
}

const LINKED_COLUMNS = sql`r.request_id, r.seq, r.domain, r.conversation_id, r.branch_id, r.link_kind,
  r.parent_request_id, r.is_subtask, r.parent_task_request_id, r.current_message_hash, r.system_hash,
  r.session_id, r.agent_id, r.timestamp, r.compaction_call`

export interface LinkColumns {
  conversation_id: string | null
  branch_id: string | null
  link_kind: LinkKind | null
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
}

export interface FactColumns {
  link_facts_version: number | null
  current_message_hash: string | null
  parent_message_hash: string | null
  grandparent_message_hash: string | null
  system_hash: string | null
  subagent_prompt_hash: string | null
  compaction_format: CompactionFormat | null
  compaction_session_id: string | null
  compaction_summary_hash: string | null
  asks_compaction: boolean | null
}

interface PendingRow extends LinkColumns, FactColumns {
  seq: number | null
  request_id: string
  timestamp: Date
  domain: string
  account_id: string | null
  model: string | null
  request_type: string | null
  message_count: number
  total_tokens: number
  session_id: string | null
  agent_id: string | null
  needs_facts: boolean
  compaction_call: string | null
  method: string | null
  path: string | null
  request_headers: Record<string, string> | null
  body: unknown
  response_content: unknown
}

function pendingOf(r: PendingRow, rehash: boolean): PendingRequest {
  return {
    seq: r.seq ?? 0,
    requestId: r.request_id,
    timestamp: new Date(r.timestamp),
    domain: r.domain,
    accountId: r.account_id,
    model: r.model,
    requestType: r.request_type,
    messageCount: r.message_count,
    totalTokens: r.total_tokens,
    sessionId: r.session_id,
    agentId: r.agent_id,
    factsVersion: r.link_facts_version,
    facts: r.link_facts_version === null ? null : factsOf(r),
    links: linksOf(r),
    stored: r.needs_facts
      ? {
          method: r.method ?? '',
          path: r.path ?? '',
          headers: r.request_headers ?? {},
          body: r.body,
        }
      : null,
    reclassify: rehash,
    responseContent: r.response_content,
    compactionCall: r.compaction_call,
  }
}

/** A row's link columns as the linker holds them. */
export function linksOf(r: LinkColumns): RequestLinks {
  return {
    conversationId: r.conversation_id,
    branchId: r.branch_id,
    linkKind: r.link_kind,
    parentRequestId: r.parent_request_id,
    isSubtask: r.is_subtask,
    parentTaskRequestId: r.parent_task_request_id,
  }
}

export function factsOf(r: FactColumns): LinkFacts | null {
  if (r.current_message_hash === null) return null
  return {
    currentHash: r.current_message_hash,
    parentHash: r.parent_message_hash,
    grandparentHash: r.grandparent_message_hash,
    systemHash: r.system_hash,
    promptHash: r.subagent_prompt_hash,
    compaction:
      r.compaction_format === null
        ? null
        : {
            format: r.compaction_format,
            transcriptSessionId: r.compaction_session_id,
            summaryKey: r.compaction_summary_hash,
          },
    asksCompaction: r.asks_compaction === true,
  }
}

interface LinkedRow {
  request_id: string
  seq: number
  domain: string
  conversation_id: string
  branch_id: string
  link_kind: LinkKind
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
  current_message_hash: string
  system_hash: string | null
  session_id: string | null
  agent_id: string | null
  timestamp: string
  compaction_call: string | null
  has_children: boolean
}

function linkedOf(r: LinkedRow): LinkedRequest {
  return {
    requestId: r.request_id,
    seq: r.seq,
    domain: r.domain,
    conversationId: r.conversation_id,
    branchId: r.branch_id,
    linkKind: r.link_kind,
    parentRequestId: r.parent_request_id,
    isSubtask: r.is_subtask,
    parentTaskRequestId: r.parent_task_request_id,
    currentHash: r.current_message_hash,
    systemHash: r.system_hash,
    sessionId: r.session_id,
    agentId: r.agent_id,
    timestamp: new Date(r.timestamp),
    compactionCall: r.compaction_call,
    hasChildren: r.has_children,
  }
}

export interface SpawnRow {
  request_id: string
  tool_index: number
  seq: number
  domain: string
  prompt_hash: string
  tool_use_id: string
  session_id: string | null
  conversation_id: string
  subtask_number: number
  claimed_by: string | null
  claimed_agent_id: string | null
}

export function spawnOf(r: SpawnRow): SpawnState {
  return {
    requestId: r.request_id,
    toolIndex: r.tool_index,
    seq: r.seq,
    domain: r.domain,
    promptHash: r.prompt_hash,
    toolUseId: r.tool_use_id,
    sessionId: r.session_id,
    conversationId: r.conversation_id,
    subtaskNumber: r.subtask_number,
    claimedBy: r.claimed_by,
    claimedAgentId: r.claimed_agent_id,
  }
}

function spawnRowOf(s: SpawnState): SpawnRow {
  return {
    request_id: s.requestId,
    tool_index: s.toolIndex,
    seq: s.seq,
    domain: s.domain,
    prompt_hash: s.promptHash,
    tool_use_id: s.toolUseId,
    session_id: s.sessionId,
    conversation_id: s.conversationId,
    subtask_number: s.subtaskNumber,
    claimed_by: s.claimedBy,
    claimed_agent_id: s.claimedAgentId,
  }
}

interface ConversationRow {
  conversation_id: string
  domain: string
  account_id: string | null
  started_at: Date | string
  last_at: Date | string
  request_count: number
  message_count: number
  total_tokens: number
  models: string[]
  branch_count: number
  compact_count: number
  spawn_count: number
  subtask_count: number
}

function conversationOf(r: ConversationRow): ConversationState {
  return {
    conversationId: r.conversation_id,
    domain: r.domain,
    accountId: r.account_id,
    startedAt: new Date(r.started_at),
    lastAt: new Date(r.last_at),
    requestCount: r.request_count,
    messageCount: r.message_count,
    totalTokens: r.total_tokens,
    models: r.models,
    branchCount: r.branch_count,
    compactCount: r.compact_count,
    spawnCount: r.spawn_count,
    subtaskCount: r.subtask_count,
  }
}

function conversationRowOf(c: ConversationState): ConversationRow {
  return {
    conversation_id: c.conversationId,
    domain: c.domain,
    account_id: c.accountId,
    started_at: c.startedAt.toISOString(),
    last_at: c.lastAt.toISOString(),
    request_count: c.requestCount,
    message_count: c.messageCount,
    total_tokens: c.totalTokens,
    models: c.models,
    branch_count: c.branchCount,
    compact_count: c.compactCount,
    spawn_count: c.spawnCount,
    subtask_count: c.subtaskCount,
  }
}

function requestRowOf(w: BatchWrites['requests'][number]) {
  return {
    request_id: w.requestId,
    request_type: w.requestType,
    session_id: w.sessionId,
    agent_id: w.agentId,
    ...linkFactColumns(w.factsVersion, w.facts),
    compaction_call: w.compactionCall,
    conversation_id: w.links.conversationId,
    branch_id: w.links.branchId,
    link_kind: w.links.linkKind,
    parent_request_id: w.links.parentRequestId,
    is_subtask: w.links.isSubtask,
    parent_task_request_id: w.links.parentTaskRequestId,
  }
}
