/**
 * The loaded search index: the MiniSearch index, the article store and the
 * lookup tables the routes need, built once from the build's artefacts.
 *
 * All lookup tables keyed by user input are `Map`s, never plain objects, so
 * an id or topic such as `__proto__` or `constructor` is just a missing key.
 *
 * @example
 * ```ts
 * const index = loadSearchIndex({ manifest, store, index: indexJson })
 * index.articleById('putin-meets-syria-on-defense-industry')
 * ```
 */
import MiniSearch, { type AsPlainObject } from 'minisearch'
import {
  MINISEARCH_OPTIONS,
  assertFormatVersion,
  type ArticleStore,
  type IndexedDocument,
  type Manifest,
  type StoredArticle,
  type TopicCount,
} from '../index-format'

export interface Artefacts {
  manifest: Manifest
  store: ArticleStore
  index: AsPlainObject
}

export interface SearchIndex {
  manifest: Manifest
  /** Articles by internal number (newest first). */
  articles: StoredArticle[]
  miniSearch: MiniSearch<IndexedDocument>
  /** Internal number of an article id. */
  numberById: Map<string, number>
  /** Topic by slug. */
  topicBySlug: Map<string, TopicCount>
  /** Slug by lower-cased display name or slug. */
  slugByKey: Map<string, string>
}

export function loadSearchIndex(artefacts: Artefacts): SearchIndex {
  assertFormatVersion(artefacts.manifest.formatVersion)
  assertFormatVersion(artefacts.store.formatVersion)
  const { articles } = artefacts.store
  const numberById = new Map(articles.map((article, n) => [article.id, n]))
  const topicBySlug = new Map(artefacts.manifest.topics.map((topic) => [topic.slug, topic]))
  const slugByKey = new Map<string, string>()
  for (const topic of artefacts.manifest.topics) {
    slugByKey.set(topic.slug.toLowerCase(), topic.slug)
    slugByKey.set(topic.name.toLowerCase(), topic.slug)
  }
  return {
    manifest: artefacts.manifest,
    articles,
    miniSearch: MiniSearch.loadJS(artefacts.index, MINISEARCH_OPTIONS),
    numberById,
    topicBySlug,
    slugByKey,
  }
}

/** Resolves a topic as a user wrote it (name or slug, any case) to its slug. */
export function resolveTopic(index: SearchIndex, topic: string): string | undefined {
  return index.slugByKey.get(topic.trim().toLowerCase())
}

/** The display name of a topic slug. */
export function topicName(index: SearchIndex, slug: string): string {
  return index.topicBySlug.get(slug)?.name ?? slug
}
