import type { IncomingMessage } from 'node:http'
import { PayloadTooLargeError } from '../errors.ts'

/** The client went away before its body was complete. */
export class ClientGoneError extends Error {}

/**
 * Reads the whole request body, refusing (413) as soon as it passes `limit` bytes. Call it
 * before any await: a client that sends everything and hangs up at once has its stream
 * ended and closed within a few ticks, and a listener attached later would wait forever.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (declared > limit) return Promise.reject(new PayloadTooLargeError(limit))
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new PayloadTooLargeError(limit))
        return
      }
      parts.push(chunk)
    })
    req.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)))
    req.on('error', reject)
    // After 'end' this settles nothing; before it, the body will never be complete.
    req.on('close', () => reject(new ClientGoneError('client closed before sending its body')))
  })
}
