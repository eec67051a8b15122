import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, rmdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { defaultTemplateDir, ensurePgliteTemplate } from './pglite-template.ts'

export interface CreateDataDirOptions {
  /** Where the template is kept; default: the package's node_modules/.cache. */
  templateDir?: string
  /** A line for the operator: a first start takes seconds and must not look hung. */
  progress: (line: string) => void
}

/**
 * Creates the PGlite data directory when it does not exist yet, from the template; returns
 * whether it did. Unpacking happens in a child process (its memory goes with it; a worker
 * thread's would stay in this process) into a `.partial` directory renamed at the end, so an
 * interrupted first start leaves no half database behind.
 */
export async function createPgliteDataDir(
  dataDir: string,
  options: CreateDataDirOptions,
): Promise<boolean> {
  if (existsSync(`${dataDir}/PG_VERSION`)) return false
  // An empty directory (made by hand, or by an older failed start) is replaced; one with
  // files in it is not ours to delete, and rmdir says so before any work is done.
  if (existsSync(dataDir)) await rmdir(dataDir)
  const began = Date.now()
  options.progress(`creating the embedded database in ${dataDir} (first start)`)
  const template = await findOrMakeTemplate(dataDir, options)
  const partial = `${dataDir}.partial`
  await rm(partial, { recursive: true, force: true })
  await mkdir(dirname(dataDir), { recursive: true })
  await unpack(template, partial)
  await rename(partial, dataDir)
  options.progress(`embedded database created in ${((Date.now() - began) / 1000).toFixed(1)} s`)
  return true
}

const UNPACK = fileURLToPath(new URL('./pglite-unpack.mjs', import.meta.url))

async function unpack(template: string, dataDir: string): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [UNPACK, template, dataDir])
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim()
    throw new Error(`could not create the embedded database from ${template}: ${stderr || err}`)
  }
}

/** The shared cache when it is writable, else beside the data directory. */
async function findOrMakeTemplate(dataDir: string, options: CreateDataDirOptions) {
  const dir = options.templateDir ?? defaultTemplateDir()
  try {
    return await ensurePgliteTemplate(dir, options.progress)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err
    return ensurePgliteTemplate(`${dataDir}.cache`, options.progress)
  }
}
