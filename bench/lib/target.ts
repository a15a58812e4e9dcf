/**
 * Build one corpus with the project's build CLI and prepare both targets:
 * the project's Worker (wrangler.toml copy pointing at the built assets) and
 * the MiniSearch reference (bench/reference-worker.ts over a MiniSearch JSON).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, linkSync, mkdirSync, openSync, readSync, closeSync, rmSync } from 'node:fs'
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

export function buildCorpus(paths: string[], dir: string, timeoutMs: number): Built {
  const out = resolve(dir, 'out')
  rmSync(out, { recursive: true, force: true })
  const help = spawnSync(resolve('node_modules/.bin/tsx'), ['index-build/cli.ts', '--help'], { encoding: 'utf8' }).stdout ?? ''
  const args = ['index-build/cli.ts', ...paths, '--out', out, '--quiet']
  if (help.includes('--reference')) args.push('--reference')
  const started = performance.now()
  const result = spawnSync(resolve('node_modules/.bin/tsx'), args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 })
  const buildMs = performance.now() - started
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
  const built: Built = { out, buildMs, ok: result.status === 0, output, referenceAssets: null, referenceSource: 'none' }
  if (!built.ok) return built

  // The reference: <out>/reference/minisearch.json (the compact build's --reference), else a MiniSearch index.json.
  const candidates: [string, string][] = [
    [join(out, 'reference', 'minisearch.json'), join(out, 'reference', 'articles.json')],
    [join(out, 'index.json'), join(out, 'articles.json')],
  ]
  for (const [index, articles] of candidates) {
    const articleList = existsSync(articles) ? articles : join(out, 'articles.json')
    if (!existsSync(index) || !existsSync(articleList)) continue
    if (!/^\s*\{\s*"documentCount"/.test(head(index))) continue
    if (!/"articles"\s*:/.test(head(articleList, 4096))) continue
    const refDir = resolve(dir, 'reference-assets')
    rmSync(refDir, { recursive: true, force: true })
    mkdirSync(refDir, { recursive: true })
    linkOrCopy(index, join(refDir, 'minisearch.json'))
    linkOrCopy(articleList, join(refDir, 'articles.json'))
    built.referenceAssets = refDir
    built.referenceSource = `${index.slice(out.length + 1)} + ${articleList.slice(out.length + 1)}`
    break
  }
  return built
}

export function configs(dir: string, built: Built, label: string): { ours: string; reference: string | null } {
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
  return {
    ours: tempConfig({ dir, name: `bench-${slug}`, assets: built.out }),
    reference: built.referenceAssets ? tempConfig({ dir, name: `bench-ref-${slug}`, assets: built.referenceAssets, main: 'bench/reference-worker.ts' }) : null,
  }
}
