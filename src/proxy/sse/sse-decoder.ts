/** One dispatched Server-Sent Event. `event` is undefined when the server sent no `event:` field. */
export interface SseEvent {
  event: string | undefined
  data: string
}

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20

/**
 * Incremental decoder for `text/event-stream` bytes, following the WHATWG parsing rules.
 * Chunks may split anywhere — inside a UTF-8 character, a line, or a `\r\n` pair.
 * Work per chunk is proportional to the chunk: nothing already seen is scanned again.
 */
export class SseDecoder {
  readonly #utf8 = new TextDecoder('utf-8')
  // Pieces of a line that has not ended yet, joined once when it does.
  #lineParts: string[] = []
  // A chunk ended on `\r`: a `\n` starting the next one belongs to the same line break.
  #afterCr = false
  #eventName: string | undefined = undefined
  #dataLines: string[] = []

  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = []
    this.#feed(this.#utf8.decode(chunk, { stream: true }), out)
    return out
  }

  end(): SseEvent[] {
    const out: SseEvent[] = []
    this.#feed(this.#utf8.decode(), out)
    // An event cut off before its blank line is dropped, as the SSE spec says: its data
    // may be incomplete, and a half JSON payload would only mislead the accumulator.
    this.#lineParts = []
    this.#afterCr = false
    this.#eventName = undefined
    this.#dataLines = []
    return out
  }

  #feed(text: string, out: SseEvent[]): void {
    let start = 0
    if (this.#afterCr && text.length > 0) {
      this.#afterCr = false
      if (text.charCodeAt(0) === LF) start = 1
    }
    // Next known positions of each terminator; each is searched for again only once passed,
    // so a chunk is scanned a bounded number of times whatever its line endings.
    let lf = text.indexOf('\n', start)
    let cr = text.indexOf('\r', start)
    for (;;) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start)
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start)
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(lf, cr)
      if (end === -1) break
      this.#line(this.#completeLine(text.slice(start, end)), out)
      start = end + 1
      if (text.charCodeAt(end) === CR) {
        if (start === text.length) this.#afterCr = true
        else if (text.charCodeAt(start) === LF) start += 1
      }
    }
    if (start < text.length) this.#lineParts.push(text.slice(start))
  }

  #completeLine(tail: string): string {
    if (this.#lineParts.length === 0) return tail
    this.#lineParts.push(tail)
    const line = this.#lineParts.join('')
    this.#lineParts = []
    return line
  }

  #line(line: string, out: SseEvent[]): void {
    if (line.length === 0) return this.#dispatch(out)
    if (line.charCodeAt(0) === COLON) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === SPACE) value = value.slice(1)
    if (field === 'data') this.#dataLines.push(value)
    else if (field === 'event') this.#eventName = value === '' ? undefined : value
    // `id` and `retry` only steer a browser's reconnection, which a recorder never does.
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#dataLines.length > 0) {
      out.push({ event: this.#eventName, data: this.#dataLines.join('\n') })
    }
    this.#eventName = undefined
    this.#dataLines = []
  }
}
