/**
 * Output stage: sorted articles → the three artefacts of `src/index-format`,
 * written so that a build either replaces all of them or none.
 *
 * - Order: date descending, undated last, then id ascending in plain
 *   code-unit order (`./compare.ts`).
 *   The position is the article's internal number `n` in MiniSearch.
 * - Bytes are a function of the input: no timestamps except `builtAt`, which
 *   comes from `SOURCE_DATE_EPOCH` when set. `indexVersion` hashes
 *   `index.json` then `articles.json`, so it changes exactly when they do.
 * - Each file is written under a temporary name in the output directory and
 *   renamed at the end, manifest last: an interrupted build leaves the
 *   previous index in place (rename within one directory is atomic).
 *
 * @example
 * ```ts
 * const artefacts = makeArtefacts(articles, topicCounts, topics, '2025-12-24T00:00:00.000Z')
 * await writeArtefacts('generated/assets', artefacts.files)
 * ```
 */
import { createHash } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import MiniSearch from 'minisearch'
import {
  FORMAT_VERSION,
  MINISEARCH_OPTIONS,
  type ArticleStore,
  type IndexedDocument,
  type Manifest,
  type StoredArticle,
  type TopicCount,
} from '../src/index-format'
import { compareCodeUnits } from './compare'
import { dateSortKey } from './dates'
import { BuildError } from './errors'
import type { TopicRegistry } from './topics'

export const ARTEFACT_NAMES = { manifest: 'manifest.json', articles: 'articles.json', index: 'index.json' } as const

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
}

/**
 * Builds the three artefacts in memory. `articles` must already be sorted;
 * `onIndexed` reports progress while documents are added.
 */
export function makeArtefacts(
  articles: readonly StoredArticle[],
  topicCounts: TopicCount[],
  topics: TopicRegistry,
  builtAt: string,
  onIndexed?: (done: number, total: number) => void,
): Artefacts {
  const miniSearch = new MiniSearch<IndexedDocument>(MINISEARCH_OPTIONS)
  articles.forEach((article, n) => {
    miniSearch.add({ n, title: article.title, summary: article.summary, body: article.body, topics: topicText(article.topics, topics) })
    if (onIndexed && (n % 500 === 499 || n === articles.length - 1)) onIndexed(n + 1, articles.length)
  })
  const index = Buffer.from(JSON.stringify(miniSearch))
  const store: ArticleStore = { formatVersion: FORMAT_VERSION, articles: [...articles] }
  const articleBytes = Buffer.from(JSON.stringify(store))
  const indexVersion = createHash('sha256').update(index).update(articleBytes).digest('hex').slice(0, 16)
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    indexVersion,
    articleCount: articles.length,
    topics: topicCounts,
    builtAt,
  }
  return {
    manifest,
    files: [
      { name: ARTEFACT_NAMES.index, bytes: index },
      { name: ARTEFACT_NAMES.articles, bytes: articleBytes },
      { name: ARTEFACT_NAMES.manifest, bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    ],
  }
}

/** Writes every artefact to a temporary name, then renames them in order. */
export async function writeArtefacts(outDir: string, files: readonly Artefact[]): Promise<void> {
  const temporary = files.map((file) => ({ ...file, temp: join(outDir, `.${file.name}.${process.pid}.tmp`) }))
  try {
    await mkdir(outDir, { recursive: true })
    for (const file of temporary) await writeFile(file.temp, file.bytes)
    for (const file of temporary) await rename(file.temp, join(outDir, file.name))
  } catch (error) {
    // Best effort: the temporary files may not exist, or their directory may not.
    await Promise.all(temporary.map((file) => rm(file.temp, { force: true }).catch(() => undefined)))
    throw new BuildError(`cannot write the index to "${outDir}": ${(error as Error).message}`)
  }
}
