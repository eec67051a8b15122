import { fork, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

// The benchmark runs the proxy and the mock in processes of their own, so that each one's
// CPU and memory are its own. They talk to the orchestrator over the IPC channel with a
// tiny request/reply protocol; the port is announced on stdout as `PORT <n>` as well, so a
// child also works on its own (`node bin/run-ts.js bench/proxy-process.ts …`).

const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url))

type Call = { kind: 'call'; id: number; method: string; arg: unknown }
type Reply = { kind: 'reply'; id: number; value?: unknown; error?: string }
type Ready = { kind: 'ready'; port: number }

export type Handlers = Record<string, (arg: never) => unknown>

export interface Child {
  readonly pid: number
  readonly port: number
  call<T>(method: string, arg?: unknown): Promise<T>
  /** Asks the child to shut down cleanly; kills it when it does not within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Starts `entry` in its own Node process and waits for it to listen: a .ts file through tsx, a
 * built .mjs (bench/built-proxy.ts) on plain node.
 */
export async function startChild(
  entry: string,
  args: string[],
  options: { execArgv?: string[]; label: string; verbose?: boolean },
): Promise<Child> {
  const plain = entry.endsWith('.mjs')
  const proc = fork(plain ? entry : RUN_TS, plain ? args : [entry, ...args], {
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const lines = createInterface({ input: proc.stdout! })
  lines.on('line', (line) => {
    if (options.verbose) console.error(`[${options.label}] ${line}`)
  })
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  let nextId = 1
  let exited = false
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true
      for (const p of pending.values()) {
        p.reject(new Error(`${options.label} exited (${code ?? signal}) during a call`))
      }
      pending.clear()
      resolve()
    }),
  )
  const port = await new Promise<number>((resolve, reject) => {
    proc.on('message', (msg: Ready | Reply) => {
      if (msg.kind === 'ready') return resolve(msg.port)
      const p = pending.get(msg.id)
      pending.delete(msg.id)
      if (msg.error !== undefined) p?.reject(new Error(`${options.label}: ${msg.error}`))
      else p?.resolve(msg.value)
    })
    void exit.then(() => reject(new Error(`${options.label} exited before it was ready`)))
  })
  const child: Child = {
    pid: proc.pid!,
    port,
    call<T>(method: string, arg?: unknown) {
      if (exited) return Promise.reject(new Error(`${options.label} is not running`))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        proc.send({ kind: 'call', id, method, arg } satisfies Call)
      })
    },
    async stop(graceMs = 60_000) {
      if (exited) return
      const timer = setTimeout(() => kill(proc), graceMs)
      await Promise.race([child.call('shutdown').catch(() => undefined), exit])
      await exit
      clearTimeout(timer)
    },
  }
  return child
}

function kill(proc: ChildProcess) {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
}

/** The child's side: announces its port and answers calls until `shutdown`. */
export function serveParent(port: number, handlers: Handlers, shutdown: () => Promise<unknown>) {
  console.log(`PORT ${port}`)
  if (!process.send) return
  process.on('message', (msg: Call) => {
    if (msg.kind !== 'call') return
    const handler = msg.method === 'shutdown' ? shutdown : handlers[msg.method]
    const reply = (r: Reply) =>
      process.send?.(r, undefined, {}, () => {
        if (msg.method === 'shutdown') process.exit(0)
      })
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${msg.method}`)
        return (handler as (arg: unknown) => unknown)(msg.arg)
      })
      .then(
        (value) => reply({ kind: 'reply', id: msg.id, value }),
        (err: unknown) =>
          reply({ kind: 'reply', id: msg.id, error: String((err as Error)?.stack ?? err) }),
      )
      .catch(() => undefined)
  })
  process.send({ kind: 'ready', port } satisfies Ready)
  // Ctrl-C reaches the whole process group; the orchestrator stops its children itself.
  process.on('SIGINT', () => undefined)
  process.once('SIGTERM', () => void shutdown().finally(() => process.exit(0)))
  // The orchestrator went away (crashed): do not linger.
  process.on('disconnect', () => void shutdown().finally(() => process.exit(0)))
}
