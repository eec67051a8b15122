/** The text of a progress bar: `[#####.....]  50%  500/1000 label`. */
export function renderProgress(done: number, total: number, label: string, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1
  const filled = Math.round(ratio * width)
  const percent = String(Math.floor(ratio * 100)).padStart(3)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}%  ${done}/${total} ${label}`
}

interface Output {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * A progress bar on a terminal (redrawn at most every 100 ms); elsewhere (a log file, CI) one
 * line per tenth, so the output stays readable.
 */
export function progressBar(out: Output, label: string, clock: () => number = Date.now) {
  let lastDraw = 0
  let lastTenth = -1
  let last = { done: 0, total: 0, text: label }
  return {
    /** `detail` follows the label (e.g. a rate); it changes nothing about when to redraw. */
    update(done: number, total: number, detail?: string) {
      const text = detail === undefined ? label : `${label}  ${detail}`
      last = { done, total, text }
      if (out.isTTY) {
        if (clock() - lastDraw < 100 && done < total) return
        lastDraw = clock()
        out.write(`\r${renderProgress(done, total, text)}\u001b[K`)
        return
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10
      if (tenth === lastTenth) return
      lastTenth = tenth
      out.write(`${renderProgress(done, total, text)}\n`)
    },
    finish() {
      if (out.isTTY) out.write(`\r${renderProgress(last.done, last.total, last.text)}\u001b[K\n`)
    },
  }
}
