import { sql } from 'kysely'
import { linkPending } from '../conversations/conversation-linker.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import type { Database } from '../db/database.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import type { ImportStore } from './import-transcripts.ts'

/** The import's storage: the same insert as proxied records (usage and search included). */
export function createImportStore(db: Database): ImportStore {
  return {
    async existing(messageIds) {
      const rows = await sql<{ message_id: string }>`select message_id from api_requests
        where message_id = any(${[...messageIds]}::text[])`.execute(db.kysely)
      return new Set(rows.rows.map((r) => r.message_id))
    },
    insert: (records) => insertRequestRecords(db, records),
  }
}

/** Links everything stored so far into conversations (waits while another linker runs). */
export async function linkImported(db: Database): Promise<void> {
  const store = createConversationStore(db)
  while ((await linkPending(store)).busy) await new Promise((r) => setTimeout(r, 50))
}
