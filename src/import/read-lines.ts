import { createReadStream } from 'node:fs'

export interface LinesOfFile {
  lines: AsyncGenerator<string>
  /** After `lines` is done: text after the last newline that is not yet a whole line. */
  incompleteTail(): string
}

/**
 * The complete lines of a file, streamed. Claude Code ends every line with a newline, so text
 * after the last one is a line still being written: it is held back (and reported), not parsed,
 * and the next import reads it once it is complete.
 */
export function linesOf(path: string): LinesOfFile {
  let tail = ''
  async function* lines(): AsyncGenerator<string> {
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = tail + chunk
      let start = 0
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        yield text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl)
        start = nl + 1
      }
      tail = text.slice(start)
    }
  }
  return { lines: lines(), incompleteTail: () => tail }
}
