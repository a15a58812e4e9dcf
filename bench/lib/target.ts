/**
 * Build one corpus with the project's build CLI and prepare both targets:
 * the project's Worker (wrangler.toml copy pointing at the built assets) and
 * the MiniSearch reference (bench/reference-worker.ts over a MiniSearch JSON).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, linkSync, mkdirSync, openSync, readSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { tempConfig } from './wrangler'

export interface Built {
  out: string
  buildMs: number
  ok: boolean
  output: string
  /** Assets dir of the reference Worker, or null when no MiniSearch JSON was written. */
  referenceAssets: string | null
  referenceSource: string
}

function head(path: string, bytes = 256): string {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const n = readSync(fd, buffer, 0, bytes, 0)
    return buffer.subarray(0, n).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

function linkOrCopy(from: string, to: string) {
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}

/** The build's heap cap in MiB: room for the 200k build with its MiniSearch reference (peak RSS 8–10 GB measured). */
export const BUILD_HEAP_MIB = 16_000

/**
 * Builds `paths` into `<dir>/out` with the project's build and `--reference`.
 * With `reuse`, an earlier build of the same dir (its `out/manifest.json`)
 * is kept instead, and `buildMs` is NaN: a 200k build takes half an hour.
 */
export function buildCorpus(paths: string[], dir: string, timeoutMs: number, reuse = false): Built {
  const out = resolve(dir, 'out')
  const refSrc = resolve(dir, 'reference-src')
  let built: Built
  if (reuse && existsSync(join(out, 'manifest.json'))) {
    built = { out, buildMs: Number.NaN, ok: true, output: `reused ${out}`, referenceAssets: null, referenceSource: 'none' }
  } else {
    rmSync(out, { recursive: true, force: true })
    // `npm run build -- …`: the project's build (it may run more than the index CLI, e.g. the widget bundle).
    const help = spawnSync(resolve('node_modules/.bin/tsx'), ['index-build/cli.ts', '--help'], { encoding: 'utf8' }).stdout ?? ''
    const args = ['run', 'build', '--', ...paths, '--out', out, '--quiet']
    if (help.includes('--reference')) args.push('--reference')
    const started = performance.now()
    // The 200k build with --reference peaks near 10 GB; Node's default old space (about 4 GB here) stops it.
    const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${BUILD_HEAP_MIB}`.trim() }
    const result = spawnSync('npm', args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, killSignal: 'SIGKILL', env })
    const buildMs = performance.now() - started
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
    built = { out, buildMs, ok: result.status === 0, output, referenceAssets: null, referenceSource: 'none' }
    if (!built.ok) return built
    rmSync(refSrc, { recursive: true, force: true })
  }

  // The reference: <out>/reference/minisearch.json (written by the compact build's --reference), else a
  // MiniSearch index.json (format 1). The reference/ dir is moved out of <out> so that it is neither
  // served to nor counted in the project's own assets.
  if (existsSync(join(out, 'reference'))) {
    rmSync(refSrc, { recursive: true, force: true })
    renameSync(join(out, 'reference'), refSrc)
  }
  const index = [join(refSrc, 'minisearch.json'), join(out, 'index.json')].find(
    (path) => existsSync(path) && /^\s*\{\s*"documentCount"/.test(head(path)),
  )
  if (!index) return built
  const refDir = resolve(dir, 'reference-assets')
  rmSync(refDir, { recursive: true, force: true })
  mkdirSync(refDir, { recursive: true })
  linkOrCopy(index, join(refDir, 'minisearch.json'))
  let articlesSource: string
  if (existsSync(join(out, 'articles.json'))) {
    // format 1: one ArticleStore file
    linkOrCopy(join(out, 'articles.json'), join(refDir, 'articles.json'))
    articlesSource = 'articles.json'
  } else if (existsSync(join(out, 'articles'))) {
    // format 2: fragments articles/<k>.json ({ first, articles }); joined into one list, by internal number
    const articles: unknown[] = []
    const fragments = readdirSync(join(out, 'articles'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(out, 'articles', name), 'utf8')) as { first: number; articles: unknown[] })
      .sort((a, b) => a.first - b.first)
    for (const fragment of fragments) articles.push(...fragment.articles)
    writeFileSync(join(refDir, 'articles.json'), JSON.stringify({ articles }))
    articlesSource = 'articles/*.json joined'
  } else return built
  built.referenceAssets = refDir
  built.referenceSource = `${index.startsWith(refSrc) ? 'reference/minisearch.json' : 'index.json'} + ${articlesSource}`
  return built
}

export function configs(dir: string, built: Built, label: string): { ours: string; engine: string; reference: string | null } {
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
  return {
    ours: tempConfig({ dir, name: `bench-${slug}`, assets: built.out }),
    // The engine's part alone over the same index (bench/rank-worker.ts): the isolate probe's "engine alone" rows.
    engine: tempConfig({ dir, name: `bench-engine-${slug}`, assets: built.out, main: 'bench/rank-worker.ts' }),
    reference: built.referenceAssets ? tempConfig({ dir, name: `bench-ref-${slug}`, assets: built.referenceAssets, main: 'bench/reference-worker.ts' }) : null,
  }
}
