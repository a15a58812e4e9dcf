/**
 * Search: runs a query against the loaded index, applies the topic filter,
 * counts facets and cuts the page.
 *
 * Rules, in order:
 * - A query with no terms (empty, or only stop words and punctuation) lists
 *   the articles newest first: the browse mode behind "all articles in a topic".
 * - Otherwise every query word must match (AND). The last word also matches as
 *   a prefix, for search-as-you-type ({@link matchPrefix}), and longer words
 *   tolerate typos ({@link typoDistance}). If AND finds nothing, the query is
 *   relaxed to any word (OR), and the response says `"relaxed": true`.
 * - The topic filter keeps articles carrying any of the given topics. It runs
 *   before paging, so `total` counts every match, not just the page.
 * - Topic facet counts are disjunctive (as in Algolia): they count the matches
 *   of `q` over all topics, ignoring the topic filter itself, so each chip says
 *   how many results choosing it would give. With one topic selected, its
 *   facet count equals `total`.
 *
 * @example
 * ```ts
 * const page = search(index, { q: 'oil prices', topics: ['crude'], limit: 10, offset: 0 })
 * page.total // every crude article that matches
 * ```
 */
import type { SearchResult } from 'minisearch'
import { analyze } from '../analyzer'
import { FIELD_BOOSTS, type StoredArticle } from '../index-format'
import { passage } from '../snippet'
import { topicName, type SearchIndex } from '../search-index'

export interface SearchRequest {
  q: string
  /** Topic slugs (already resolved); any of them matches. Empty: no filter. */
  topics: string[]
  limit: number
  offset: number
}

export interface Hit {
  id: string
  title: string
  summary: string
  date: string | null
  source: string
  url: string
  topics: string[]
  score: number
  snippet: string
}

export interface FacetCount {
  topic: string
  slug: string
  count: number
}

export interface SearchResponse {
  query: string
  total: number
  limit: number
  offset: number
  /** True when no article had every word, and the results match any word. */
  relaxed: boolean
  hits: Hit[]
  facets: { topics: FacetCount[] }
}

interface Match {
  n: number
  score: number
  terms: ReadonlySet<string>
}

const NO_TERMS: ReadonlySet<string> = new Set()

/** Shortest query term that also matches as a prefix (the last term only). */
export const MIN_PREFIX_LENGTH = 3

/** Prefix matching applies to the last query term, once it has 3 characters. */
export function matchPrefix(term: string, i: number, terms: string[]): boolean {
  return i === terms.length - 1 && term.length >= MIN_PREFIX_LENGTH
}

/**
 * Typo tolerance by term length, as Typesense and Meilisearch do it: no typo
 * under 5 characters, 1 from 5, 2 from 9 (Levenshtein distance on the
 * analyzed term).
 */
export function typoDistance(term: string): number | false {
  return term.length >= 9 ? 2 : term.length >= 5 ? 1 : false
}

export function search(index: SearchIndex, request: SearchRequest): SearchResponse {
  const { matches, relaxed } = findMatches(index, request.q)
  const filter = request.topics.length > 0 ? new Set(request.topics) : null
  const filtered = filter ? matches.filter((match) => index.articles[match.n]!.topics.some((slug) => filter.has(slug))) : matches
  return {
    query: request.q,
    total: filtered.length,
    limit: request.limit,
    offset: request.offset,
    relaxed,
    hits: filtered.slice(request.offset, request.offset + request.limit).map((match) => toHit(index, match)),
    facets: { topics: countTopics(index, matches) },
  }
}

function findMatches(index: SearchIndex, q: string): { matches: Match[]; relaxed: boolean } {
  if (analyze(q).length === 0) {
    return { matches: index.articles.map((_, n) => ({ n, score: 0, terms: NO_TERMS })), relaxed: false }
  }
  const run = (combineWith: 'AND' | 'OR') =>
    index.miniSearch.search(q, {
      combineWith,
      boost: FIELD_BOOSTS,
      prefix: matchPrefix,
      fuzzy: typoDistance,
    })
  const all = run('AND')
  const relaxed = all.length === 0
  return { matches: (relaxed ? run('OR') : all).map(toMatch), relaxed }
}

function toMatch(result: SearchResult): Match {
  return { n: result.id as number, score: result.score, terms: new Set(result.terms) }
}

function countTopics(index: SearchIndex, matches: Match[]): FacetCount[] {
  const counts = new Map<string, number>()
  for (const match of matches) {
    for (const slug of index.articles[match.n]!.topics) counts.set(slug, (counts.get(slug) ?? 0) + 1)
  }
  return [...counts]
    .map(([slug, count]) => ({ topic: topicName(index, slug), slug, count }))
    .sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
}

function toHit(index: SearchIndex, match: Match): Hit {
  const article = index.articles[match.n]!
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    date: article.date,
    source: article.source,
    url: article.url,
    topics: article.topics.map((slug) => topicName(index, slug)),
    score: match.score,
    snippet: snippetOf(article, match.terms),
  }
}

/**
 * The body passage around the matches; the summary's when only the summary
 * matched; the opening of the body (or summary) when only the title matched.
 */
function snippetOf(article: StoredArticle, terms: ReadonlySet<string>): string {
  const fields = [article.body, article.summary].filter((field) => field.length > 0)
  const passages = fields.map((field) => passage(field, terms))
  return (passages.find((candidate) => candidate.matches > 0) ?? passages[0])?.html ?? ''
}
