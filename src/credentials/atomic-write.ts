import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces `path` so that a concurrent reader sees either the old or the new content, never
 * a mix: the data goes to a temp file in the same directory (rename is only atomic within one
 * file system), is flushed to disk, then renamed over the target.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  // The temp name does not end in `.credentials.json`, so no lookup can ever pick it up.
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      // open() applies the umask to `mode`; chmod makes the result exactly `mode`.
      await handle.chmod(mode)
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
  await syncDirectory(dirname(path))
}

// Without this the rename itself may be lost on power failure; some platforms cannot open a
// directory for syncing, and the rename has already happened, so failure is ignored.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}
