import { Worker } from 'node:worker_threads'
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely'

interface WorkerReply {
  id: number
  rows?: Record<string, unknown>[]
  affectedRows?: number
  error?: { message: string; code?: string; detail?: string }
}

export interface WorkerMemory {
  heapUsed: number
  external: number
  arrayBuffers: number
  /** PGlite's WebAssembly memory: it grows to its high-water mark and never shrinks. */
  wasm: number
}

export class PgliteQueryError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/**
 * A client for the PGlite worker thread. Every call is one message; replies come back by id.
 * The worker is single threaded, so calls are serialised here rather than queued blindly.
 */
export class PgliteWorkerClient {
  readonly #worker: Worker
  readonly #pending = new Map<number, (reply: WorkerReply) => void>()
  #nextId = 1
  #failure: Error | undefined

  /** `template`: a tarball (see pglite-template.ts) to create `dataDir` from. */
  constructor(dataDir: string | undefined, template?: string) {
    this.#worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir, template },
    })
    this.#worker.on('message', (reply: WorkerReply) => {
      this.#pending.get(reply.id)?.(reply)
      this.#pending.delete(reply.id)
    })
    this.#worker.on('error', (err) => this.#failAll(err))
    this.#worker.on('exit', (code) => this.#failAll(new Error(`PGlite worker exited (${code})`)))
  }

  query(sql: string, params: readonly unknown[] = []): Promise<WorkerReply> {
    return this.#send({ kind: 'query', sql, params })
  }

  exec(sql: string): Promise<WorkerReply> {
    return this.#send({ kind: 'exec', sql })
  }

  /** The worker thread's memory: its V8 heap and PGlite's WebAssembly heap, in bytes. */
  async memory(): Promise<WorkerMemory> {
    const reply = await this.#send({ kind: 'memory' })
    return reply.rows?.[0] as unknown as WorkerMemory
  }

  /** Writes the whole data directory as a tarball to `path`. */
  dump(path: string): Promise<WorkerReply> {
    return this.#send({ kind: 'dump', path })
  }

  async close(): Promise<void> {
    if (!this.#failure) await this.#send({ kind: 'close' }).catch(() => undefined)
    await this.#worker.terminate()
  }

  #send(msg: Record<string, unknown>): Promise<WorkerReply> {
    if (this.#failure) return Promise.reject(this.#failure)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => {
        if (reply.error) reject(new PgliteQueryError(reply.error.message, reply.error.code))
        else resolve(reply)
      })
      this.#worker.postMessage({ ...msg, id })
    })
  }

  #failAll(err: Error) {
    this.#failure = err
    for (const settle of this.#pending.values()) settle({ id: 0, error: { message: err.message } })
    this.#pending.clear()
  }
}

class WorkerConnection implements DatabaseConnection {
  constructor(private readonly client: PgliteWorkerClient) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const reply = await this.client.query(compiled.sql, compiled.parameters)
    return {
      rows: (reply.rows ?? []) as R[],
      numAffectedRows: BigInt(reply.affectedRows ?? 0),
    }
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite')
  }
}

/** One connection guarded by a mutex: a transaction must own the worker until it ends. */
class WorkerDriver implements Driver {
  readonly #connection: WorkerConnection
  #tail: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined

  constructor(private readonly client: PgliteWorkerClient) {
    this.#connection = new WorkerConnection(client)
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail
    let release!: () => void
    this.#tail = new Promise((resolve) => (release = resolve))
    await previous
    this.#release = release
    return this.#connection
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'))
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  async destroy(): Promise<void> {
    await this.client.close()
  }
}

export class PgliteWorkerDialect implements Dialect {
  constructor(private readonly client: PgliteWorkerClient) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new WorkerDriver(this.client)
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}
