/**
 * Output stage: sorted articles → the artefacts of `src/index-format`
 * (format version 2), written so that a build either replaces the whole out
 * dir or leaves it alone.
 *
 * - Order: date descending, undated last, then id ascending in plain
 *   code-unit order (`./compare.ts`).
 *   The position is the article's internal number `n` in MiniSearch.
 * - MiniSearch indexes the articles; `./compile` turns the built index into
 *   the binary dictionary, postings chunks, document table and article
 *   fragments. The MiniSearch JSON itself is written only with `reference`
 *   (`reference/minisearch.json`), for the differential test.
 * - `embedded.js` (and one per shard): the files a fresh isolate reads first,
 *   for the script, when they fit its budget (`./embed.ts`).
 * - With `shards: k`, also `shard-<i>/` for i < k: each a complete index of a
 *   contiguous range of internal numbers, compiled with global statistics.
 * - Bytes are a function of the input: no timestamps except `builtAt`, which
 *   comes from `SOURCE_DATE_EPOCH` when set. `indexVersion` hashes every
 *   index file (name and bytes, in name order; not the reference, not the
 *   shards), so it changes exactly when they do.
 * - The whole out dir is written as a sibling temporary directory, then
 *   swapped in by rename: an interrupted build leaves the previous index in
 *   place, and no file of an older build survives a new one.
 *
 * @example
 * ```ts
 * const artefacts = makeArtefacts(articles, topicCounts, topics, '2025-12-24T00:00:00.000Z')
 * await writeArtefacts('generated/assets', artefacts.files)
 * ```
 */
import { suggestArtefacts, type LexiconSummary } from './suggest'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import MiniSearch from 'minisearch'
import {
  FILES,
  FORMAT_VERSION,
  MINISEARCH_OPTIONS,
  type IndexedDocument,
  type Manifest,
  type StoredArticle,
  type TopicCount,
} from '../src/index-format'
import { compileIndex, corpusStatistics, type Compiled } from './compile'
import { ASSETS_IGNORE, SHARD_EMBEDDED_FILES, embedArtefacts, type EmbeddingSummary } from './embed'
import { compareCodeUnits } from './compare'
import { dateSortKey } from './dates'
import { BuildError } from './errors'
import type { TopicRegistry } from './topics'

export interface Artefact {
  name: string
  bytes: Buffer
}

/** Newest first, undated last, then by id; returns a new array. */
export function sortArticles(articles: readonly StoredArticle[]): StoredArticle[] {
  const keyed = articles.map((article) => ({ article, key: article.date === null ? Number.NaN : dateSortKey(article.date) }))
  keyed.sort((a, b) => {
    const aDated = !Number.isNaN(a.key)
    const bDated = !Number.isNaN(b.key)
    if (aDated !== bDated) return aDated ? -1 : 1
    if (aDated && a.key !== b.key) return b.key - a.key
    return compareCodeUnits(a.article.id, b.article.id)
  })
  return keyed.map(({ article }) => article)
}

/** The text MiniSearch indexes for topics: each display name and slug, once. */
export function topicText(slugs: readonly string[], topics: TopicRegistry): string {
  const words: string[] = []
  for (const slug of slugs) {
    for (const word of [topics.name(slug), slug]) if (!words.includes(word)) words.push(word)
  }
  return words.join(' ')
}

export interface Artefacts {
  files: Artefact[]
  manifest: Manifest
  /** Whether the first-read files went into `embedded.js` (`./embed.ts`), and their gzip size. */
  embedding: EmbeddingSummary
  /** Whether the suggest lexicon carries the title list (`./suggest`), and that list's size. */
  lexicon: LexiconSummary
}

export interface ArtefactOptions {
  /** Also write the MiniSearch JSON as `reference/minisearch.json`. */
  reference?: boolean
  /** Also write this many shards, `shard-<i>/`, compiled with global statistics. */
  shards?: number
  /** Gzip budget for the files embedded in the script (`./embed.ts`); 0 embeds nothing. Default: `DEFAULT_EMBED_BUDGET` (2 MiB). */
  embedBudgetBytes?: number
  onIndexed?: (done: number, total: number) => void
}

/** The document MiniSearch indexes for the article with internal number `n`. */
export function indexedDocument(article: StoredArticle, n: number, topics: TopicRegistry): IndexedDocument {
  return { n, title: article.title, summary: article.summary, body: article.body, topics: topicText(article.topics, topics) }
}

/** The first internal number and the count of shard `index` of `count` over `total` articles. */
export function shardRange(total: number, index: number, count: number): { index: number; count: number; docBase: number; docCount: number } {
  const docBase = Math.floor((total * index) / count)
  return { index, count, docBase, docCount: Math.floor((total * (index + 1)) / count) - docBase }
}

/**
 * One compiled index's files and its manifest, whose `indexVersion` hashes
 * every file (name and bytes, in name order).
 */
export function packIndex(compiled: Compiled, topicCounts: TopicCount[], builtAt: string, articleCount: number): { files: Artefact[]; manifest: Manifest } {
  const hash = createHash('sha256')
  for (const file of [...compiled.files].sort((a, b) => compareCodeUnits(a.name, b.name))) {
    hash.update(file.name).update('\0').update(file.bytes)
  }
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    indexVersion: hash.digest('hex').slice(0, 16),
    articleCount,
    topics: topicCounts,
    builtAt,
    index: compiled.layout,
  }
  const files = compiled.files.map((file) => ({ name: file.name, bytes: file.bytes }))
  files.push({ name: FILES.manifest, bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) })
  return { files, manifest }
}

/** A shard's `embedded.js` (and copies) for its files `own` (named relative to the shard's directory), under `prefix`. */
export function shardEmbedding(own: readonly Artefact[], budgetBytes: number | undefined, prefix: string): Artefact[] {
  const embedding = embedArtefacts(own, { budgetBytes, names: SHARD_EMBEDDED_FILES })
  return embedding.files.map((file) => ({ name: prefix + file.name, bytes: file.bytes }))
}

/** Builds every artefact in memory. `articles` must already be sorted. */
export function makeArtefacts(
  articles: readonly StoredArticle[],
  topicCounts: TopicCount[],
  topics: TopicRegistry,
  builtAt: string,
  options: ArtefactOptions = {},
): Artefacts {
  const miniSearch = new MiniSearch<IndexedDocument>(MINISEARCH_OPTIONS)
  articles.forEach((article, n) => {
    miniSearch.add(indexedDocument(article, n, topics))
    if (options.onIndexed && (n % 500 === 499 || n === articles.length - 1)) options.onIndexed(n + 1, articles.length)
  })
  const json = miniSearch.toJSON()
  const stats = corpusStatistics(json, articles)
  const compiled = compileIndex(json, articles, topicCounts, stats)
  // The suggest lexicon (surface forms, titles) is part of the index version, so ETags change with it.
  const lexicon = suggestArtefacts(articles)
  compiled.files.push(...lexicon.files)
  const { files, manifest } = packIndex(compiled, topicCounts, builtAt, articles.length)
  const embedding = embedArtefacts(files, { budgetBytes: options.embedBudgetBytes })
  files.push(...embedding.files, ASSETS_IGNORE)
  const shards = options.shards ?? 0
  for (let i = 0; i < shards; i++) {
    const shard = shardRange(articles.length, i, shards)
    const prefix = `shard-${i}/`
    const packed = packIndex(compileIndex(json, articles.slice(shard.docBase, shard.docBase + shard.docCount), topicCounts, stats, { shard }), topicCounts, builtAt, shard.docCount)
    files.push(...packed.files.map((file) => ({ name: prefix + file.name, bytes: file.bytes })))
    files.push(...shardEmbedding(packed.files, options.embedBudgetBytes, prefix))
  }
  if (options.reference) files.push({ name: FILES.reference, bytes: Buffer.from(JSON.stringify(json)) })
  return { manifest, files, embedding: { embedded: embedding.embedded, gzipBytes: embedding.gzipBytes }, lexicon: lexicon.summary }
}

/**
 * True while process `pid` runs (signal 0 checks without signalling). A
 * zombie, killed but not yet reaped by its parent, does not run: where /proc
 * exists its state is checked, since signal 0 still reaches it.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/**
 * Clears what a killed build left beside `outDir`: its `.<out>.<pid>.tmp`
 * (half-written, never used) and, if it died between its two renames, puts
 * its `.<out>.<pid>.old` (the previous complete index) back when `outDir` is
 * missing. Directories of builds still running are left alone.
 */
export async function recoverInterrupted(outDir: string): Promise<void> {
  const parent = dirname(outDir)
  const pattern = new RegExp(`^\\.${basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.(tmp|old)$`)
  let names: string[]
  try {
    names = await readdir(parent)
  } catch {
    return
  }
  for (const name of names.sort()) {
    const match = pattern.exec(name)
    if (!match || isRunning(Number(match[1]))) continue
    if (match[2] === 'old' && !existsSync(outDir)) await rename(join(parent, name), outDir)
    else await rm(join(parent, name), { recursive: true, force: true })
  }
}

/**
 * Writes every artefact into a sibling temporary directory, then swaps it in
 * for `outDir` (rename the old one aside, rename the new one in, remove the
 * old). Both renames are within one parent directory, so each is atomic. A
 * build killed part way leaves the previous index in place; the next build
 * removes what it left (see `recoverInterrupted`).
 */
export async function writeArtefacts(outDir: string, files: readonly Artefact[]): Promise<void> {
  await writeOutDir(outDir, async (write) => {
    for (const file of files) await write(file)
  })
}

/**
 * {@link writeArtefacts} for a build that makes its files a part at a time
 * (`./shards.ts`): `produce` calls `write` for each file, into the temporary
 * directory; the swap happens once it has returned. An error it throws leaves
 * `outDir` as it was.
 */
export async function writeOutDir(outDir: string, produce: (write: (file: Artefact) => Promise<void>) => Promise<void>): Promise<void> {
  const parent = dirname(outDir)
  const temp = join(parent, `.${basename(outDir)}.${process.pid}.tmp`)
  const old = join(parent, `.${basename(outDir)}.${process.pid}.old`)
  try {
    await recoverInterrupted(outDir)
    await rm(temp, { recursive: true, force: true })
    await mkdir(temp, { recursive: true })
    const dirs = new Set<string>()
    await produce(async (file) => {
      const dir = dirname(join(temp, file.name))
      if (!dirs.has(dir)) {
        await mkdir(dir, { recursive: true })
        dirs.add(dir)
      }
      await writeFile(join(temp, file.name), file.bytes)
    })
    let hadOld = true
    try {
      await rename(outDir, old)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      hadOld = false
    }
    try {
      await rename(temp, outDir)
    } catch (error) {
      if (hadOld) await rename(old, outDir).catch(() => undefined)
      throw error
    }
    if (hadOld) await rm(old, { recursive: true, force: true })
  } catch (error) {
    // Best effort: the temporary directory may not exist, or its parent may not.
    await rm(temp, { recursive: true, force: true }).catch(() => undefined)
    if (error instanceof BuildError) throw error
    throw new BuildError(`cannot write the index to "${outDir}": ${(error as Error).message}`)
  }
}
