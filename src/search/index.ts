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
 * - Ranking is the engine's (`src/engine`, MiniSearch's scoring); equal
 *   scores go newest first. Only the page's articles are read, from their
 *   fragments, for the hit fields and the snippets.
 *
 * @example
 * ```ts
 * const page = await search(index, { q: 'oil prices', topics: ['crude'], limit: 10, offset: 0 })
 * page.total // every crude article that matches
 * ```
 */
import type { EngineSearchOptions, Matches, QueryPlan } from '../engine'
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

/** The engine options of every query of the API. */
export const QUERY_OPTIONS: EngineSearchOptions = { boost: FIELD_BOOSTS, prefix: matchPrefix, fuzzy: typoDistance }

export async function search(index: SearchIndex, request: SearchRequest): Promise<SearchResponse> {
  const { engine } = index
  const wanted = topicMask(index, request.topics)
  const keep = wanted ? (doc: number) => engine.docs.hasAnyTopic(doc, wanted) : undefined
  const end = request.offset + request.limit
  const plan = engine.plan(request.q, { ...QUERY_OPTIONS, combineWith: 'AND' })

  let relaxed = false
  let total = 0
  let page: { n: number; score: number }[]
  let facets: FacetCount[]
  let terms: Map<number, ReadonlySet<string>> | undefined
  if (plan.terms.length === 0) {
    // Browse: every article, newest first (internal numbers are in date order).
    const count = engine.docs.count
    page = []
    for (let n = 0; n < count; n++) {
      if (keep && !keep(n)) continue
      if (total >= request.offset && total < end) page.push({ n, score: 0 })
      total++
    }
    facets = countTopics(index, null)
  } else {
    await index.engine.postings.load(plan.chunks)
    let active: QueryPlan = plan
    let matches: Matches = engine.execute(plan)
    if (matches.count === 0) {
      relaxed = true
      active = { ...plan, and: false }
      matches = engine.execute(active)
    }
    if (keep) for (let i = 0; i < matches.count; i++) total += keep(matches.docs[i]!) ? 1 : 0
    else total = matches.count
    const ranked = engine.rank(matches, end, keep).subarray(request.offset)
    page = Array.from(ranked, (i) => ({ n: matches.docs[i]!, score: matches.scores[i]! }))
    facets = countTopics(index, matches)
    const details = engine.explain(active, page.map((hit) => hit.n))
    terms = new Map([...details].map(([n, detail]) => [n, new Set(detail.terms)]))
  }
  const articles = await index.articles(page.map((hit) => hit.n))
  return {
    query: request.q,
    total,
    limit: request.limit,
    offset: request.offset,
    relaxed,
    hits: page.map((hit, i) => toHit(index, articles[i]!, hit.score, terms?.get(hit.n) ?? NO_TERMS)),
    facets: { topics: facets },
  }
}

const NO_TERMS: ReadonlySet<string> = new Set()

/** Marks the wanted topic ids; null when there is no filter. */
function topicMask(index: SearchIndex, slugs: readonly string[]): Uint8Array | null {
  if (slugs.length === 0) return null
  const mask = new Uint8Array(index.manifest.topics.length)
  for (const slug of slugs) {
    const id = index.topicIdBySlug.get(slug)
    if (id !== undefined) mask[id] = 1
  }
  return mask
}

/** Topic counts over the matches (every document when null), most frequent first, then by slug. */
function countTopics(index: SearchIndex, matches: Matches | null): FacetCount[] {
  const { topicStart, topicIds } = index.engine.docs
  const counts = new Uint32Array(index.manifest.topics.length)
  const add = (doc: number) => {
    for (let i = topicStart[doc]!, end = topicStart[doc + 1]!; i < end; i++) counts[topicIds[i]!]!++
  }
  if (matches) for (let i = 0; i < matches.count; i++) add(matches.docs[i]!)
  else for (let doc = 0; doc < index.engine.docs.count; doc++) add(doc)
  const facets: FacetCount[] = []
  counts.forEach((count, id) => {
    if (count === 0) return
    const { name, slug } = index.manifest.topics[id]!
    facets.push({ topic: name, slug, count })
  })
  return facets.sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
}

function toHit(index: SearchIndex, article: StoredArticle, score: number, terms: ReadonlySet<string>): Hit {
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    date: article.date,
    source: article.source,
    url: article.url,
    topics: article.topics.map((slug) => topicName(index, slug)),
    score,
    snippet: snippetOf(article, terms),
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
