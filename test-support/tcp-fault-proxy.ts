import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A TCP relay in front of a real server that a test can cut (connections dropped, new ones
 * refused) and restore: the database "goes down" without stopping the shared server.
 */
export class TcpFaultProxy {
  #server: Server | undefined
  #sockets = new Set<Socket>()
  #port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    await this.#listen(0)
    return this.#port
  }

  async cut(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }

  async restore(): Promise<void> {
    await this.#listen(this.#port)
  }

  async close(): Promise<void> {
    await this.cut()
  }

  async #listen(port: number) {
    const server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.targetHost)
      for (const s of [client, upstream]) {
        this.#sockets.add(s)
        s.on('close', () => this.#sockets.delete(s))
        s.on('error', () => undefined)
      }
      client.pipe(upstream).pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }
}
