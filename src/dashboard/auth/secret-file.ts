import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Reads a secret kept in a file of its own, creating it (mode 0600, exclusive create, so two
 * processes starting at once agree on one value) when missing. Returns the file's text trimmed.
 */
export async function readOrCreateSecretFile(
  path: string,
  create: () => string,
): Promise<{ value: string; created: boolean }> {
  try {
    return { value: await readSecret(path), created: false }
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err
  }
  await mkdir(dirname(path), { recursive: true })
  const value = create()
  try {
    const handle = await open(path, 'wx', 0o600)
    try {
      await handle.writeFile(`${value}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return { value, created: true }
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err
    return { value: await readWhenWritten(path), created: false }
  }
}

// Another process won the exclusive create and may still be writing the value.
async function readWhenWritten(path: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readSecret(path)
    } catch (err) {
      if (attempt >= 20 || !(err instanceof EmptySecretError)) throw err
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

class EmptySecretError extends Error {}

async function readSecret(path: string): Promise<string> {
  const info = await stat(path)
  // Tighten a file someone copied in with a loose mode rather than serve with it.
  if ((info.mode & 0o077) !== 0) await chmod(path, 0o600)
  const value = (await readFile(path, 'utf8')).trim()
  if (value === '')
    throw new EmptySecretError(`${path} is empty; delete it to have a new one created`)
  return value
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}
