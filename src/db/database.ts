import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { limitHeapGrowth } from './heap-growth.ts'
import type { Tables } from './schema.ts'
import { PgliteWorkerClient, PgliteWorkerDialect, type WorkerMemory } from './pglite-dialect.ts'

export type Backend = 'postgres' | 'pglite'

/** The database handle every store receives. Both backends speak the same SQL. */
export interface Database {
  readonly backend: Backend
  readonly kysely: Kysely<Tables>
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>
  close(): Promise<void>
  /** PGlite only: the worker thread's memory, for the memory benchmark. */
  memory?(): Promise<WorkerMemory>
}

export interface PostgresOptions {
  url: string
  /** Schema to use instead of `public` (tests isolate themselves this way). */
  schema?: string
  maxConnections?: number
}

// Counts and sums come back as JS numbers on both backends (pg returns strings by default).
const INT8_OID = 20
const NUMERIC_OID = 1700

function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID || oid === NUMERIC_OID) return Number
  return pg.types.getTypeParser(oid, format as 'text')
}

export function openPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  })
  // An idle client's error (server restart) must not crash the process; the next query
  // reports it to the caller instead.
  pool.on('error', () => undefined)
  // A checked-out client whose connection drops between queries emits 'error' on itself;
  // the next query on it fails and reports instead, so the event alone must not crash us.
  pool.on('connect', (client) => client.on('error', () => undefined))
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
  return {
    backend: 'postgres',
    kysely,
    async exec(sql) {
      await pool.query(sql)
    },
    close: () => kysely.destroy(),
  }
}

/**
 * PGlite in a worker thread; `dataDir` undefined means in memory. The process now holds the
 * database too, so its JavaScript heap is kept from growing far past its live size.
 */
export function openPglite(dataDir: string | undefined): Database {
  limitHeapGrowth()
  return openPgliteWorker(dataDir).db
}

/** PGlite with its worker client exposed, for the data directory's creation (dump, template). */
export function openPgliteWorker(
  dataDir: string | undefined,
  template?: string,
): { db: Database; client: PgliteWorkerClient } {
  const client = new PgliteWorkerClient(dataDir, template)
  const kysely = new Kysely<Tables>({ dialect: new PgliteWorkerDialect(client) })
  const db: Database = {
    backend: 'pglite',
    kysely,
    async exec(sql) {
      await client.exec(sql)
    },
    close: () => kysely.destroy(),
    memory: () => client.memory(),
  }
  return { db, client }
}
