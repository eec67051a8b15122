import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

export const USED_LOGIN_LINKS_DIR = 'used-login-links'

// Links live 15 minutes; a marker kept a day outlives any link that could still be valid.
const KEEP_MS = 24 * 60 * 60 * 1000

/**
 * Marks a login link's nonce as used, true when this call was the first. The mark is a file in
 * DATA_DIR (exclusive create, mode 0600), so a link stays used after a restart and across
 * processes sharing the directory; a second use races to the same name and loses.
 */
export async function claimLoginLink(dataDir: string, nonce: string, now: number) {
  // Nonces are base64url; anything else cannot come from a genuine token.
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return false
  const dir = join(dataDir, USED_LOGIN_LINKS_DIR)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await forgetOld(dir, now)
  try {
    const handle = await open(join(dir, nonce), 'wx', 0o600)
    await handle.close()
    return true
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false
    throw err
  }
}

async function forgetOld(dir: string, now: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    const info = await stat(path).catch(() => undefined)
    if (info && now - info.mtimeMs > KEEP_MS) await rm(path, { force: true })
  }
}
