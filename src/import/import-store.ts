import { sql } from 'kysely'
import { linkPending } from '../conversations/conversation-linker.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import type { Database } from '../db/database.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import type { ImportStore } from './import-transcripts.ts'

/** The import's storage: the same insert as proxied records (usage and search included). */
export function createImportStore(db: Database): ImportStore {
  return {
    async existing(messages) {
      const ids = messages.map((m) => m.messageId)
      const requestIds = messages.flatMap((m) => (m.requestId === null ? [] : [m.requestId]))
      const imported = await sql<{ message_id: string }>`select message_id from api_requests
        where message_id = any(${ids}::text[])`.execute(db.kysely)
      const proxied = await sql<{ upstream_request_id: string }>`select upstream_request_id
        from api_requests where upstream_request_id = any(${requestIds}::text[])
          and source is null`.execute(db.kysely)
      const seen = new Set(imported.rows.map((r) => r.message_id))
      const proxiedIds = new Set(proxied.rows.map((r) => r.upstream_request_id))
      for (const m of messages) {
        if (m.requestId !== null && proxiedIds.has(m.requestId)) seen.add(m.messageId)
      }
      return seen
    },
    insert: (records) => insertRequestRecords(db, records),
  }
}

/** Links everything stored so far into conversations (waits while another linker runs). */
export async function linkImported(db: Database): Promise<void> {
  const store = createConversationStore(db)
  while ((await linkPending(store)).busy) await new Promise((r) => setTimeout(r, 50))
}
