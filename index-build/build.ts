/**
 * `buildIndex`: the whole build as one call, for the CLI and for tests.
 *
 * Stages, each in its own module: find input files (`inputs.ts`), read and
 * account for every record (`collect.ts`, with `formats/` and
 * `normalize.ts`), then sort, index and write (`write.ts`; with
 * `shardsOnly`, `shards.ts`). The fail/warn
 * policy is documented in `report.ts`.
 *
 * Usage problems (missing input, bad `--map`, bad `SOURCE_DATE_EPOCH`) and
 * write errors throw {@link BuildError}. A build that read its input but must
 * not replace the index (nothing indexed, or `--strict` with problems) returns
 * `ok: false` with its `failures` and the full report, and writes nothing.
 *
 * @example
 * ```ts
 * import { buildIndex } from './index-build/build'
 * const result = await buildIndex({ paths: ['data/'], out: 'generated/assets' })
 * result.report.total // { read: 21579, indexed: 21336, merged: 242, rejected: 1 }
 * ```
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Manifest } from '../src/index-format'
import { collectArticles } from './collect'
import { DEFAULT_EMBED_BUDGET, type EmbeddingSummary } from './embed'
import type { LexiconSummary } from './suggest'
import { BuildError } from './errors'
import { checkFieldMap, type FieldMap } from './field-map'
import { listInputs } from './inputs'
import { warningLines, type BuildReport } from './report'
import { writeShardsOnly } from './shards'
import { makeArtefacts, recoverInterrupted, sortArticles, writeArtefacts } from './write'

export interface BuildProgress {
  phase: 'read' | 'count' | 'index'
  /** Bytes read (phase `read`), documents counted (phase `count`: `--shards-only`'s statistics pass) or indexed (phase `index`). */
  done: number
  total: number
  /** Records read so far. */
  records: number
}

export interface BuildOptions {
  /** Files or directories to read. Default: `['data/']`. */
  paths: string[]
  /** Output directory: the Worker's static assets directory. Default: `'generated/assets'`. */
  out: string
  /** `--map`: article field → source field name, for JSON Lines. Default: `{}`. */
  fieldMap: FieldMap
  /** Fail on any rejection or warning. Default: `false`. */
  strict: boolean
  /** Directory that relative paths (inputs, output, report) are relative to. Default: `process.cwd()`. */
  cwd: string
  /** Seconds since 1970 for `builtAt`, for reproducible bytes. Default: `process.env.SOURCE_DATE_EPOCH`. */
  sourceDateEpoch: string | undefined
  /** Read and report, but write nothing. Default: `false`. */
  dryRun: boolean
  /** `--reference`: also write the MiniSearch JSON, `reference/minisearch.json`, for the differential test. Default: `false`. */
  reference: boolean
  /** `--shards k`: also write k shards, `shard-<i>/`, with global statistics. Default: 0. */
  shards: number
  /** `--shards-only`: write only the shards, each a self-contained assets directory, in two passes (`shards.ts`). Default: `false`. */
  shardsOnly: boolean
  /** Gzip budget of the files embedded in the Worker script (`embed.ts`); `--no-embed` sets 0. Default: 2 MiB. */
  embedBudgetBytes: number
  onProgress?: (progress: BuildProgress) => void
}

export const DEFAULT_BUILD_OPTIONS: Omit<BuildOptions, 'cwd' | 'sourceDateEpoch'> = {
  paths: ['data/'],
  out: 'generated/assets',
  fieldMap: {},
  strict: false,
  dryRun: false,
  reference: false,
  shards: 0,
  shardsOnly: false,
  embedBudgetBytes: DEFAULT_EMBED_BUDGET,
}

export interface BuildResult {
  /** False when the build failed after reading; see `failures`. */
  ok: boolean
  failures: string[]
  report: BuildReport
  /** Output directory, as given. */
  outDir: string
  /** The manifest written, or null when nothing was written (or only shards). */
  manifest: Manifest | null
  /** With `shardsOnly`: each shard's manifest, in shard order; otherwise empty. */
  shardManifests: Manifest[]
  /** Whether the first-read files were embedded in the script (`embedded.js`), and their gzip size; null when nothing was written. */
  embedding: EmbeddingSummary | null
  /** Whether the suggest lexicon carries the title list, and its size; null when nothing was written (or only shards, whose lexicons never do). */
  lexicon: LexiconSummary | null
  /** Artefacts written, with their sizes in bytes. */
  artefacts: { file: string; bytes: number }[]
  durationMs: number
}

function builtAt(sourceDateEpoch: string | undefined): string {
  if (sourceDateEpoch === undefined || sourceDateEpoch === '') return new Date().toISOString()
  if (!/^\d+$/.test(sourceDateEpoch)) throw new BuildError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${sourceDateEpoch}"`)
  return new Date(Number(sourceDateEpoch) * 1000).toISOString()
}

export async function buildIndex(options: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const started = performance.now()
  const settings: BuildOptions = {
    cwd: process.cwd(),
    sourceDateEpoch: process.env.SOURCE_DATE_EPOCH,
    ...DEFAULT_BUILD_OPTIONS,
    ...options,
  }
  const fieldMap = checkFieldMap(settings.fieldMap)
  if (!Number.isInteger(settings.shards) || settings.shards < 0 || settings.shards > 64) {
    throw new BuildError(`--shards must be a whole number from 0 to 64, got "${settings.shards}"`)
  }
  if (settings.shardsOnly && settings.shards < 1) throw new BuildError('--shards-only needs --shards K (1 to 64)')
  if (settings.shardsOnly && settings.reference) throw new BuildError('--reference writes the single index\'s MiniSearch JSON, which --shards-only never builds')
  const timestamp = builtAt(settings.sourceDateEpoch)
  const { onProgress } = settings

  const { files, skipped } = await listInputs(settings.paths, settings.cwd)
  const sizes = await Promise.all(files.map(async (file) => (await stat(file.path)).size))
  const collected = await collectArticles(files, {
    fieldMap,
    sizes,
    onFileRead: ({ records, bytes, totalBytes }) => onProgress?.({ phase: 'read', done: bytes, total: totalBytes, records }),
  })
  const report: BuildReport = { ...collected.report, skipped }
  const outDir = resolve(settings.cwd, settings.out)
  // First, whatever happens next: a previous build killed part way may have left the last good index aside.
  if (!settings.dryRun) await recoverInterrupted(outDir)
  const result: BuildResult = {
    ok: true, failures: [], report, outDir: settings.out, manifest: null, shardManifests: [], embedding: null, lexicon: null, artefacts: [], durationMs: 0,
  }

  if (report.total.indexed === 0) result.failures.push('no article was indexed')
  const warnings = warningLines(report).length
  if (settings.strict && (report.rejections.length > 0 || warnings > 0)) {
    result.failures.push(`--strict: ${report.rejections.length} rejected record(s), ${warnings} warning(s)`)
  }
  result.ok = result.failures.length === 0

  if (result.ok && !settings.dryRun && settings.shardsOnly) {
    const articles = sortArticles(collected.articles)
    const written = await writeShardsOnly(outDir, articles, report.topics, collected.topics, timestamp, {
      shards: settings.shards,
      embedBudgetBytes: settings.embedBudgetBytes,
      onCounted: (done, total) => onProgress?.({ phase: 'count', done, total, records: report.total.read }),
      onIndexed: (done, total) => onProgress?.({ phase: 'index', done, total, records: report.total.read }),
    })
    result.shardManifests = written.manifests
    result.artefacts = written.artefacts
  } else if (result.ok && !settings.dryRun) {
    const articles = sortArticles(collected.articles)
    const { files: artefacts, manifest, embedding, lexicon } = makeArtefacts(articles, report.topics, collected.topics, timestamp, {
      reference: settings.reference,
      shards: settings.shards,
      embedBudgetBytes: settings.embedBudgetBytes,
      onIndexed: (done, total) => onProgress?.({ phase: 'index', done, total, records: report.total.read }),
    })
    await writeArtefacts(outDir, artefacts)
    result.manifest = manifest
    result.embedding = embedding
    result.lexicon = lexicon
    result.artefacts = artefacts.map((file) => ({ file: file.name, bytes: file.bytes.length }))
  }
  result.durationMs = performance.now() - started
  return result
}
