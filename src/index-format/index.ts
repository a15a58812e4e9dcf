/**
 * The index format: what the build writes and the Worker reads.
 *
 * Like Pagefind, the indexer (`index-build/`, Node) and the runtime (`src/`,
 * the Worker) are separate programs that share this one format, and it carries
 * a version number. The Worker refuses artefacts whose `formatVersion` it does
 * not know, rather than answering wrongly.
 *
 * The build writes three files into `generated/assets/` (never committed), the
 * Worker's static assets directory:
 * - `manifest.json` — {@link Manifest}
 * - `articles.json` — {@link ArticleStore}: every indexed article, sorted
 *   newest first, so the position of an article is its internal number and the
 *   empty-query listing is a plain walk in order.
 * - `index.json` — the MiniSearch index (`JSON.stringify(miniSearch)`) over
 *   {@link IndexedFields}, built with {@link MINISEARCH_OPTIONS}. Its document
 *   ids are the internal numbers, and it stores no fields: results are joined
 *   to `articles.json` by number.
 *
 * @example
 * ```ts
 * import MiniSearch from 'minisearch'
 * import { MINISEARCH_OPTIONS, assertFormatVersion } from './index-format'
 * assertFormatVersion(manifest.formatVersion)
 * const index = MiniSearch.loadJS(indexJson, MINISEARCH_OPTIONS)
 * ```
 */
import type { Options as MiniSearchOptions } from 'minisearch'
import { processTerm, tokenize } from '../analyzer'

/** Bump on any change to the shape or meaning of the artefacts. */
export const FORMAT_VERSION = 1

/** A topic as shown to people, with the slug used in URLs and filters. */
export interface Topic {
  /** Display name, as first seen in the input ("Ukraine - Russia War"). */
  name: string
  /** Lower-case ASCII slug ("ukraine-russia-war"). */
  slug: string
}

/** A "Related News" entry of a plain-text article. */
export interface RelatedLink {
  title: string
  /** Topic display name as written in the source. */
  topic: string
  /** ISO 8601 date (`YYYY-MM-DD`), or null when the source date was unreadable. */
  date: string | null
}

/** One article as the Worker serves it. */
export interface StoredArticle {
  /** Stable id: explicit in the input, or derived from the file name. */
  id: string
  title: string
  summary: string
  body: string
  /** ISO 8601: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.sss]`; null when unknown. */
  date: string | null
  source: string
  url: string
  /** Topic slugs; display names are in the manifest. */
  topics: string[]
  related: RelatedLink[]
}

/** The document MiniSearch indexes: the internal number plus the text fields. */
export interface IndexedDocument {
  n: number
  title: string
  summary: string
  body: string
  /** Topic display names and slugs, space-joined, so both are searchable. */
  topics: string
}

export type IndexedField = 'title' | 'summary' | 'body' | 'topics'
export const IndexedFields: IndexedField[] = ['title', 'summary', 'body', 'topics']

/** Field weights at query time. Title weighs most. */
export const FIELD_BOOSTS: Record<IndexedField, number> = { title: 3, summary: 1.5, topics: 1.5, body: 1 }

/**
 * MiniSearch options shared by the build (to index) and the Worker (to load
 * and search). Tokenizer and term processing come from the analyzer, so that
 * index terms and query terms are produced by the same code.
 */
export const MINISEARCH_OPTIONS: MiniSearchOptions<IndexedDocument> = {
  idField: 'n',
  fields: IndexedFields,
  storeFields: [],
  tokenize,
  processTerm: (term) => processTerm(term),
  searchOptions: { boost: FIELD_BOOSTS },
}

export interface TopicCount extends Topic {
  count: number
}

export interface Manifest {
  formatVersion: number
  /** Content hash of `index.json` and `articles.json` (sha-256, 16 hex digits). */
  indexVersion: string
  articleCount: number
  /** Every topic with its article count, most frequent first, then by slug. */
  topics: TopicCount[]
  /** ISO 8601 time of the build; `SOURCE_DATE_EPOCH` when set, for byte-identical rebuilds. */
  builtAt: string
}

export interface ArticleStore {
  formatVersion: number
  articles: StoredArticle[]
}

/** Throws when artefacts were written by a build of another format version. */
export function assertFormatVersion(version: unknown): void {
  if (version !== FORMAT_VERSION) {
    throw new Error(`index format version ${String(version)} is not supported (this Worker reads version ${FORMAT_VERSION}); rebuild with npm run build`)
  }
}
