// The proxy process as a user runs it: `nexus start` loads the compiled dist/ on plain node,
// while `bench/proxy-process.ts` under tsx also carries tsx's loader (its module hooks run on
// a thread of their own: ~45–60 MB of RSS the product does not have). For the memory
// benchmark, proxy-process.ts is bundled alone (with the bench's helpers) into one plain
// module whose imports of ../src/*.ts point at dist/*.js, so everything the product runs comes
// from dist/, exactly as `nexus start` loads it.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
const ROOT = resolve(BENCH_DIR, '..')
const SRC = join(ROOT, 'src')
const DIST = join(ROOT, 'dist')

/** Builds dist/ when a source file is newer than it, then the bundled proxy; returns its path. */
export async function builtProxyProcess(log: (line: string) => void): Promise<string> {
  const entry = join(DIST, 'cli', 'main.js')
  if (!existsSync(entry) || newestMtime(SRC) > statSync(entry).mtimeMs) {
    log('building dist/ (npm run build): src/ changed since the last build')
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    if (built.status !== 0) throw new Error('npm run build failed')
  }
  const out = join(BENCH_DIR, 'results', 'proxy-process.mjs')
  await build({
    entryPoints: [join(BENCH_DIR, 'proxy-process.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [
      {
        name: 'src-to-dist',
        setup(b) {
          b.onResolve({ filter: /\/src\/.*\.ts$/ }, (args) => {
            const source = resolve(args.resolveDir, args.path)
            const compiled = join(DIST, source.slice(SRC.length)).replace(/\.ts$/, '.js')
            return { path: pathToFileURL(compiled).href, external: true }
          })
        },
      },
    ],
  })
  return out
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stat = statSync(path)
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs)
  }
  return newest
}
