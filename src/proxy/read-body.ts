import type { IncomingMessage } from 'node:http'
import { PayloadTooLargeError } from '../errors.ts'

/** Reads the whole request body, refusing (413) as soon as it passes `limit` bytes. */
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
  })
}
