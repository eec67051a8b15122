import { sql } from 'kysely'
import type { Database } from '../db/database.ts'

/**
 * Seconds since the oldest stored request above the linker's mark arrived, 0 when every
 * request is linked. One indexed look-up (api_requests_seq_idx), cheap enough for a scrape.
 */
export async function linkerLagSeconds(db: Database, now: number): Promise<number> {
  const r = await sql<{ timestamp: Date | string }>`
    select r.timestamp from api_requests r
    where r.seq > coalesce((select linked_through from conversation_link_state), 0)
    order by r.seq limit 1`.execute(db.kysely)
  const oldest = r.rows[0]?.timestamp
  if (oldest === undefined) return 0
  return Math.max(0, (now - new Date(oldest).getTime()) / 1000)
}
