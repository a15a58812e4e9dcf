/**
 * Search: runs a query tree against the loaded index, applies the topic and
 * date filters, counts facets, orders and cuts the page.
 *
 * Rules, in order:
 * - `q` is parsed by `src/query` into a tree: groups that must all match
 *   (AND), each the OR of its clauses; a clause is a word or a `"phrase"`,
 *   optionally scoped to one field (`title:`), and `-word` / `-"phrase"`
 *   exclude. Syntax errors never fail: the parser's notices are returned in
 *   `notices`.
 * - A query with no positive terms (empty, only stop words, or only
 *   exclusions that the parser kept as exclusions) lists the articles newest
 *   first, minus the excluded ones: the browse mode behind "all articles in a
 *   topic".
 * - Every group must match (AND). The last word also matches as a prefix, for
 *   search-as-you-type ({@link matchPrefix}), and longer words tolerate typos
 *   ({@link typoDistance}); phrase words and excluded words match exactly. If
 *   the AND query matches no article at all (after exclusions, before the topic
 *   and date filters), it is relaxed to any word (OR: any term of any word, or
 *   any whole phrase; exclusions still apply), and the response says
 *   `"relaxed": true`.
 * - An exact term outranks its typo and prefix variants (`exactFirst`, see
 *   `src/engine`).
 * - The topic filter keeps articles carrying any of the given topics; `from` /
 *   `to` keep articles dated within the range (inclusive; undated articles are
 *   never in a range). Both run before paging, so `total` counts every match.
 * - Topic facet counts are disjunctive (as in Algolia): they count the matches
 *   of `q` within the date range over all topics, ignoring the topic filter
 *   itself, so each chip says how many results choosing it would give.
 * - `recency` (a half-life in days) multiplies each score by
 *   2^(−age / half-life), age = days from the article's date to the newest
 *   article in the index (undated: the oldest article's age). Ranking uses the
 *   logarithm of that product, so it stays exact when the factor underflows.
 * - `sort=relevance` (default): score descending, equal scores newest first.
 *   `sort=date`: newest first (internal number order), undated last.
 * - Only the page's articles are read, from their fragments, for the hit
 *   fields and the snippets.
 * - The snippet is `snippetWords` words long (default 30), and the title's
 *   words that match the query's index terms (the same terms as the snippet:
 *   stems, typo and prefix matches) are given as `titleHighlights` ranges and
 *   in `titleHtml`.
 *
 * @example
 * ```ts
 * const page = await search(index, { q: '"crude oil" -gasoline', topics: ['crude'], limit: 10, offset: 0 })
 * page.total // every crude article that matches
 * ```
 */
import { processTerm, tokenize, analyze } from '../analyzer'
import { DEFAULT_BM25F, type ClauseInput, type EngineSearchOptions, type Matches, type PlanInput, type QueryPlan } from '../engine'
import { FIELD_BOOSTS, tokenAdvance, type StoredArticle } from '../index-format'
import { parseQuery, type Clause, type QueryTree } from '../query'
import { highlight, markRanges, passage, scanBudgets, type SnippetOptions } from '../snippet'
import { topicName, type SearchIndex } from '../search-index'

/**
 * A second look at a first pass's matches, before they are counted and ranked: it may re-score them, not add or drop
 * any. The relevance harness plugs its experiments in here (`eval/feedback.ts`); the Worker passes none.
 */
export type Rerank = (index: SearchIndex, request: SearchRequest, plan: QueryPlan, matches: Matches, relaxed: boolean) => Promise<Matches>

export interface SearchRequest {
  q: string
  /** Topic slugs (already resolved); any of them matches. Empty: no filter. */
  topics: string[]
  limit: number
  offset: number
  /** Default `relevance`. */
  sort?: 'relevance' | 'date'
  /** Earliest date, ms since 1970 (inclusive). */
  from?: number
  /** Latest date, ms since 1970 (inclusive). */
  to?: number
  /** Half-life in days of the recency factor. */
  recency?: number
  /** Snippet length in words. Default 30 (`DEFAULT_SNIPPET_OPTIONS.words`, src/snippet). */
  snippetWords?: number
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
  /** UTF-16 `[start, end)` ranges of the title's words that matched the query (stems, typos and prefixes included). */
  titleHighlights: [number, number][]
  /** The title as safe HTML: escaped, with `<mark>` around {@link Hit.titleHighlights}. */
  titleHtml: string
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
  /** True when no article matched every group, and the results match any word. */
  relaxed: boolean
  /** What the query parser could not read as syntax, and what it did instead. */
  notices: string[]
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
 * Query terms that get typo tolerance: the first 4 long enough for it. Each
 * one walks the dictionary for its near spellings, the largest CPU cost of a
 * long query (eight 2-typo walks took 4.8 ms of workerd CPU); later terms
 * match exactly, and as a prefix when last. 4 instead of 8 changed SciFact's
 * nDCG@10 by 0.001 (docs/relevance.md).
 */
export const MAX_TYPO_TERMS = 4

/** Typos allowed by length alone: none under 5 characters, 1 from 5, 2 from 9. */
function typosForLength(term: string): number | false {
  return term.length >= 9 ? 2 : term.length >= 5 ? 1 : false
}

/**
 * Typo tolerance by term length, as Typesense and Meilisearch do it: no typo
 * under 5 characters, 1 from 5, 2 from 9 (Levenshtein distance on the
 * analyzed term), for the first {@link MAX_TYPO_TERMS} terms that qualify.
 * `i` and `terms` are the term's place in the query (the engine's and
 * MiniSearch's `fuzzy` option signature).
 */
export function typoDistance(term: string, i = 0, terms: readonly string[] = [term]): number | false {
  const distance = typosForLength(term)
  if (distance === false) return false
  let before = 0
  for (let j = 0; j < i; j++) if (typosForLength(terms[j]!) !== false) before++
  return before < MAX_TYPO_TERMS ? distance : false
}

/**
 * The engine options of every query of the API. Matching is MiniSearch's
 * (AND/OR, prefix and typo terms and their weights) plus exact-before-typo;
 * ranking is BM25F with a term-proximity bonus (`bm25f`, the engine's
 * {@link DEFAULT_BM25F}; SciFact nDCG@10 0.684 → 0.70, docs/relevance.md),
 * with the field boosts of `FIELD_BOOSTS` (the title the heaviest). `bm25`
 * (k 1.2, b 0.7, d 0.25) still scores the topics field, which BM25F leaves
 * apart, and `coordination` (√matched) only applies with `bm25f: null`, the
 * tuned MiniSearch ranking the Worker had before.
 */
export const QUERY_OPTIONS: EngineSearchOptions = {
  boost: FIELD_BOOSTS,
  prefix: matchPrefix,
  fuzzy: typoDistance,
  exactFirst: true,
  firstTypoCost: 2,
  bm25: { k: 1.2, b: 0.7, d: 0.25 },
  coordination: 0.5,
  bm25f: DEFAULT_BM25F,
}

const DAY_MS = 86_400_000

/**
 * A parsed query tree in the engine's analyzed form. Words become their
 * analyzer terms (stop words vanish; a word of stop words only is dropped);
 * a phrase becomes one term per raw token that yields any (a hyphenated
 * token: its joined form) at the token's position as the index counts it
 * (`tokenAdvance`: 2 per token, 1 per stop word), so stop words keep their
 * place; a phrase of one term is an exact word. Excluded clauses match
 * exactly.
 */
export function analyzeTree(tree: QueryTree): { input: PlanInput; notices: string[] } {
  const notices = [...tree.notices]
  const convert = (clause: Clause, exclusion: boolean): ClauseInput | null => {
    const field = clause.field ? { field: clause.field } : {}
    if (clause.kind === 'term') {
      const terms = analyze(clause.text)
      return terms.length ? { terms, offsets: null, exact: exclusion, ...field } : null
    }
    const terms: string[] = []
    const offsets: number[] = []
    let p = 0
    for (const token of tokenize(clause.words.join(' '))) {
      const yielded = processTerm(token)
      if (yielded.length > 0) {
        terms.push(yielded[0]!)
        offsets.push(p)
      }
      p += tokenAdvance(yielded)
    }
    if (terms.length === 0) {
      notices.push(`ignored the phrase "${clause.words.join(' ').slice(0, 40)}": it has only stop words`)
      return null
    }
    const first = offsets[0]!
    return { terms, offsets: terms.length > 1 ? offsets.map((o) => o - first) : null, exact: true, ...field }
  }
  const groups = tree.groups
    .map((group) => group.map((clause) => convert(clause, false)).filter((clause): clause is ClauseInput => clause !== null))
    .filter((group) => group.length > 0)
  const excluded = tree.excluded.map((clause) => convert(clause, true)).filter((clause): clause is ClauseInput => clause !== null)
  return { input: { groups, excluded }, notices }
}

/**
 * One ranked match before its article is read: internal number, displayed
 * score, and the key it was ranked by (the score; with `recency`, the
 * logarithm of the adjusted score; 0 under date order and when browsing, where
 * the number alone orders). Equal keys are ordered by number.
 */
export interface RankedHit {
  n: number
  score: number
  key: number
  /** The query terms the document matched ({@link Matches.masks}), when known. */
  mask?: number
}

/**
 * The ranking half of {@link search}, without reading any article: what a
 * shard answers the front Worker (`src/shard`, `docs/sharding.md`).
 */
export interface Ranking {
  total: number
  relaxed: boolean
  notices: string[]
  facets: FacetCount[]
  /** Matches of the query as run (AND, or OR when relaxed) before the topic and date filters; null when browsing. */
  matched: number | null
  /** The best `offset + limit` matches, from the first (not only the page). */
  ranked: RankedHit[]
  /** The query the hits matched, for their snippets; null when browsing. */
  plan: QueryPlan | null
}

/**
 * The AND→OR rule: `auto` relaxes when the AND query matches nothing; a shard
 * is told `and` or `or` by the front Worker, which decides on the whole corpus.
 */
export type Relaxation = 'auto' | 'and' | 'or'

export async function search(index: SearchIndex, request: SearchRequest): Promise<SearchResponse> {
  const ranking = await rank(index, request)
  return {
    query: request.q,
    total: ranking.total,
    limit: request.limit,
    offset: request.offset,
    relaxed: ranking.relaxed,
    notices: ranking.notices,
    hits: await pageHits(index, request, ranking.plan, ranking.ranked.slice(request.offset)),
    facets: { topics: ranking.facets },
  }
}

/** The engine plan of `q` with AND, as {@link search} runs it, and the parser's notices. */
export function planQuery(index: SearchIndex, q: string, options: EngineSearchOptions = QUERY_OPTIONS): { plan: QueryPlan; notices: string[] } {
  const { input, notices } = analyzeTree(parseQuery(q))
  return { plan: index.engine.planInput(input, { ...options, combineWith: 'AND' }), notices }
}

/**
 * Total, facets and the best `offset + limit` matches of a request: {@link search} without the articles.
 * `options`: the engine options, {@link QUERY_OPTIONS} (the Worker's); the relevance harness varies them in process,
 * and may pass a {@link Rerank}.
 */
export async function rank(
  index: SearchIndex,
  request: SearchRequest,
  relaxation: Relaxation = 'auto',
  options: EngineSearchOptions = QUERY_OPTIONS,
  rerank: Rerank | null = null,
): Promise<Ranking> {
  const { engine } = index
  const { docs } = engine
  const wanted = topicMask(index, request.topics)
  const [dateLo, dateHi] =
    request.from !== undefined || request.to !== undefined ? docs.dateRange(request.from ?? -Infinity, request.to ?? Infinity) : [0, docs.count]
  const dated = dateLo > 0 || dateHi < docs.count
  const inRange = dated ? (doc: number) => doc >= dateLo && doc < dateHi : undefined
  const keep =
    wanted && inRange
      ? (doc: number) => inRange(doc) && docs.hasAnyTopic(doc, wanted)
      : wanted
        ? (doc: number) => docs.hasAnyTopic(doc, wanted)
        : inRange
  const end = request.offset + request.limit
  const { plan, notices } = planQuery(index, request.q, options)

  let relaxed = false
  let total = 0
  let ranked: RankedHit[]
  let facets: FacetCount[]
  let matched: number | null = null
  let active: QueryPlan | null = null
  if (plan.terms.length === 0) {
    // Browse: every article in the date range, newest first (internal numbers are in date order), minus exclusions.
    let excluded: Set<number> | undefined
    if (plan.excluded.length) {
      await engine.load(plan)
      excluded = new Set(engine.excludedDocs(plan))
    }
    ranked = []
    const filtered = dated || excluded !== undefined
    const inView = filtered ? new Int32Array(dateHi - dateLo) : null
    // Over the whole index the total is known without a scan (every article, or the one topic's count), so the
    // walk stops at the page's end: a topic page of the bundled data walked all 21,578 articles, 0.6 ms a request.
    const known = filtered ? undefined : knownBrowseTotal(index, wanted)
    let viewed = 0
    for (let n = dateLo; n < dateHi; n++) {
      if (known !== undefined && total === end) break
      if (excluded?.has(n)) continue
      if (inView) inView[viewed++] = n
      if (wanted && !docs.hasAnyTopic(n, wanted)) continue
      if (total < end) ranked.push({ n, score: 0, key: 0 })
      total++
    }
    if (known !== undefined) total = known
    facets = countTopics(index, inView ? inView.subarray(0, viewed) : null)
  } else {
    await engine.load(plan)
    active = plan
    let matches: Matches | undefined = relaxation === 'or' ? undefined : engine.execute(plan)
    if (matches === undefined || (matches.count === 0 && relaxation === 'auto')) {
      relaxed = true
      active = { ...plan, and: false }
      matches = engine.execute(active)
    }
    matched = matches.count
    if (rerank) matches = await rerank(index, request, active, matches, relaxed)
    if (keep) for (let i = 0; i < matches.count; i++) total += keep(matches.docs[i]!) ? 1 : 0
    else total = matches.count
    let ranking = matches
    if (request.recency !== undefined) ({ ranking, matches } = withRecency(index, matches, request.recency))
    const byDate = request.sort === 'date'
    const { docs: numbers, scores, masks } = matches
    ranked = Array.from(engine.rank(ranking, end, keep, byDate ? 'date' : 'score'), (i) => ({
      n: numbers[i]!,
      score: scores[i]!,
      key: byDate ? 0 : ranking.scores[i]!,
      ...(masks ? { mask: masks[i]! } : {}),
    }))
    let facetDocs = numbers.subarray(0, matches.count)
    if (inRange) facetDocs = facetDocs.filter(inRange)
    facets = countTopics(index, facetDocs)
  }
  return { total, relaxed, notices, facets, matched, ranked, plan: active }
}

/**
 * The hits of a page: their articles, with the snippets around the terms of
 * `plan` each matched (null: none). The plan's postings must be loaded.
 * `scanChars`: the characters each hit's snippet may scan, the page's share
 * of the scan budget; by default {@link pageScanBudgets} of these hits (a
 * shard gets the whole page's, computed by the front).
 */
export async function pageHits(
  index: SearchIndex,
  request: SearchRequest,
  plan: QueryPlan | null,
  page: readonly { n: number; score: number; mask?: number }[],
  scanChars: readonly number[] = pageScanBudgets(index, page.map((hit) => hit.n)),
): Promise<Hit[]> {
  const numbers = page.map((hit) => hit.n)
  // The terms each hit matched: from the masks of the ranking when it has them (no postings to decode), else explained.
  const masks = page.every((hit) => hit.mask !== undefined) ? page.map((hit) => hit.mask!) : null
  const terms = !plan ? undefined : masks ? index.engine.matchedTerms(plan, numbers, masks) : new Map([...index.engine.explain(plan, numbers)].map(([n, detail]) => [n, new Set(detail.terms)]))
  const articles = await index.articles(numbers)
  const wordOf = plan ? queryWordOf(index, plan) : undefined
  return page.map((hit, i) => {
    return toHit(index, articles[i]!, hit.score, terms?.get(hit.n) ?? NO_TERMS, { words: request.snippetWords, maxScanChars: scanChars[i]!, wordOf })
  })
}

/** Each term a plan may match (the words typed, their prefix completions and typo readings), to its query word's number. */
function queryWordOf(index: SearchIndex, plan: QueryPlan): Map<string, number> {
  const { dictionary } = index.engine
  const wordOf = new Map<string, number>()
  for (const spec of plan.specs) for (const t of spec.derived) wordOf.set(dictionary.term(t), spec.group)
  return wordOf
}

/**
 * The recency factor 2^(−age / halfLife), age in days from the document's
 * date to the newest article of the index; undated documents get the oldest
 * article's factor. Returns the scores times the factor, and ranking keys
 * (their natural logarithm, computed as ln(score) − age·ln 2 / halfLife, so
 * the order is right even when the product underflows to 0).
 */
export function withRecency(index: SearchIndex, matches: Matches, halfLife: number): { matches: Matches; ranking: Matches } {
  const { newest, oldest } = index.manifest.index.dates
  const dates = index.engine.docs.dates
  const scores = new Float64Array(matches.count)
  const keys = new Float64Array(matches.count)
  for (let i = 0; i < matches.count; i++) {
    const doc = matches.docs[i]!
    let date = dates[doc]!
    if (Number.isNaN(date)) date = oldest ?? Number.NaN
    const age = newest === null || Number.isNaN(date) ? 0 : (newest - date) / DAY_MS
    scores[i] = matches.scores[i]! * 2 ** (-age / halfLife)
    keys[i] = Math.log(matches.scores[i]!) - (age * Math.LN2) / halfLife
  }
  return { matches: { count: matches.count, docs: matches.docs, scores, masks: matches.masks }, ranking: { count: matches.count, docs: matches.docs, scores: keys } }
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

/** {@link topicCounts} of every document, per index: they never change, and every topic page asks for them. */
const ALL_TOPIC_COUNTS = new WeakMap<SearchIndex, Uint32Array>()

/** How many documents carry each topic (by topic id), over `matches`, or every document when null. */
function topicCounts(index: SearchIndex, matches: Int32Array | null): Uint32Array {
  const { topicStart, topicIds } = index.engine.docs
  if (matches === null) {
    const known = ALL_TOPIC_COUNTS.get(index)
    if (known) return known
  }
  const counts = new Uint32Array(index.manifest.topics.length)
  // Every document (matches null): all the topic ids, one run from topicStart[0] = 0.
  if (matches) {
    for (let m = 0; m < matches.length; m++) {
      const doc = matches[m]!
      for (let i = topicStart[doc]!, end = topicStart[doc + 1]!; i < end; i++) counts[topicIds[i]!]!++
    }
  } else {
    for (let i = 0, end = topicStart[index.engine.docs.count]!; i < end; i++) counts[topicIds[i]!]!++
    ALL_TOPIC_COUNTS.set(index, counts)
  }
  return counts
}

/**
 * The number of documents a browse over the whole index finds, when it is known without walking them: every
 * document with no topic filter, the topic's count with one topic (a document lists a topic once). Undefined with
 * several topics: a document may carry more than one of them.
 */
function knownBrowseTotal(index: SearchIndex, wanted: Uint8Array | null): number | undefined {
  if (wanted === null) return index.engine.docs.count
  const first = wanted.indexOf(1)
  if (first === -1) return 0
  return wanted.indexOf(1, first + 1) === -1 ? topicCounts(index, null)[first] : undefined
}

/** Topic counts over the documents (every document when null), most frequent first, then by slug. */
function countTopics(index: SearchIndex, matches: Int32Array | null): FacetCount[] {
  const counts = topicCounts(index, matches)
  const facets: FacetCount[] = []
  counts.forEach((count, id) => {
    if (count === 0) return
    const { name, slug } = index.manifest.topics[id]!
    facets.push({ topic: name, slug, count })
  })
  return facets.sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
}

/**
 * A stored article as a hit: display topic names, the snippet of `snippetWords`
 * words around `terms`, and the title's words among `terms` highlighted.
 * Shared with /related.
 */
export function toHit(
  index: SearchIndex,
  article: StoredArticle,
  score: number,
  terms: ReadonlySet<string>,
  snippet: Partial<SnippetOptions> = {},
): Hit {
  const { ranges: titleHighlights, terms: titleTerms } = highlight(article.title, terms)
  const { wordOf } = snippet
  if (wordOf && titleTerms.size) {
    // The query words the title shows: the snippet then looks first for the others.
    const shownWords = new Set<number>()
    for (const term of titleTerms) if (wordOf.has(term)) shownWords.add(wordOf.get(term)!)
    snippet = { ...snippet, shownWords }
  }
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    date: article.date,
    source: article.source,
    url: article.url,
    topics: article.topics.map((slug) => topicName(index, slug)),
    score,
    snippet: snippetOf(article, terms, snippet),
    titleHighlights,
    titleHtml: markRanges(article.title, titleHighlights),
  }
}

/**
 * Characters of text per counted term (a term the index counts in a field's
 * length) assumed by {@link snippetDemand}: more than 9 in 10 Reuters
 * stories take fewer (median 8.8, 90th percentile 11.0, measured over 400 of
 * them), so a short story's whole text is within its estimate.
 */
export const SNIPPET_CHARS_PER_TERM = 12

/**
 * The least a hit's snippet demand is, 240 characters (about 40 words, more
 * than the 30-word opening): a text the index counts no term of (stop words
 * only) still shows its opening.
 */
export const MIN_SNIPPET_DEMAND = 240

/**
 * What the snippet of local document `n` may have to scan, estimated from
 * the index alone (its longer text field's length in counted terms, times
 * {@link SNIPPET_CHARS_PER_TERM}, and at least {@link MIN_SNIPPET_DEMAND}),
 * before any article is read. A front over
 * shards learns it with the ranking, so that it shares a page's scan budget
 * exactly as the single index does.
 */
export function snippetDemand(index: SearchIndex, n: number): number {
  const { fields, docs } = index.engine
  const F = fields.length
  let terms = 0
  for (const field of ['body', 'summary']) {
    const f = fields.indexOf(field)
    if (f >= 0) terms = Math.max(terms, docs.fieldLength[n * F + f]!)
  }
  return Math.max(MIN_SNIPPET_DEMAND, terms * SNIPPET_CHARS_PER_TERM)
}

/** {@link scanBudgets} of a page of local documents, by their {@link snippetDemand}. */
export function pageScanBudgets(index: SearchIndex, numbers: readonly number[]): number[] {
  return scanBudgets(numbers.map((n) => snippetDemand(index, n)))
}

/**
 * The body passage around the matches; the summary's when only the summary
 * matched; the opening of the body (or summary) when only the title matched.
 */
function snippetOf(article: StoredArticle, terms: ReadonlySet<string>, options: Partial<SnippetOptions>): string {
  let opening: string | undefined
  for (const field of [article.body, article.summary]) {
    if (field.length === 0) continue
    const candidate = passage(field, terms, options)
    if (candidate.matches > 0) return candidate.html
    opening ??= candidate.html
  }
  return opening ?? ''
}
