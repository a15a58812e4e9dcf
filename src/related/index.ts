/**
 * `GET /articles/:id/related`: more like this.
 *
 * Rules:
 * - The article's most distinctive terms: its title and body analyzed as the
 *   index analyzes them, each stem scored tf-idf, `(1 + ln tf) · ln(N / df)`,
 *   where a title occurrence counts {@link TITLE_TF} times and df is the
 *   stem's largest document frequency over title, summary and body. Stems
 *   with digits, of one letter, in no other article, or in more than
 *   {@link MAX_DF_SHARE} of all articles ("reuter", "said") are left out. The
 *   best {@link RELATED_TERMS} are kept.
 * - They are run through the engine as one OR query, each term weighted by
 *   its score relative to the best one, with the API's field boosts (title 3,
 *   summary and topics 1.5, body 1) and BM25; as in every engine query, an
 *   article's score is multiplied by the number of terms it shares.
 * - An article sharing a topic with this one scores × {@link TOPIC_BOOST}.
 * - The article itself is left out, and so is any article with the same
 *   title and body (whitespace and case aside): the build merges exact
 *   duplicates, but near-identical reissues remain.
 * - Hits have the /search hit shape; the snippet is the body passage with
 *   the shared terms marked (`snippetWords` long, as on /search), and the
 *   title's shared terms are highlighted (`titleHighlights`, `titleHtml`).
 * - `terms` lists the distinctive terms in surface form (the suggest
 *   lexicon: `price` → "prices"), best first.
 *
 * No build artefact is needed: the article's text comes from its fragment,
 * the document frequencies from the dictionary.
 *
 * @example
 * ```ts
 * await related(index, lexicon, index.numberOf('11723')!, 5)
 * // { id: '11723', hits: [{ id: '…', title: '…', topics: ['crude'], score: …, snippet: '…' }, …], terms: ['futures', 'prices', …] }
 * ```
 */
import { processTerm, tokenize } from '../analyzer'
import type { Engine, QueryPlan } from '../engine'
import { FIELD_BOOSTS, type StoredArticle } from '../index-format'
import type { SearchIndex } from '../search-index'
import { pageScanBudgets, toHit, type Hit } from '../search'
import type { Lexicon } from '../suggest/lexicon'

/** Distinctive terms run as the query. */
export const RELATED_TERMS = 15

/** An occurrence in the title counts as this many in the body. */
export const TITLE_TF = 3

/** Stems in more than this share of the articles are not distinctive of any. */
export const MAX_DF_SHARE = 0.2

/** Score factor of an article that shares a topic with the source. */
export const TOPIC_BOOST = 1.5

/** Extra hits read beyond the limit, to make up for dropped duplicates. */
const DUPLICATE_SLACK = 5

const TEXT_FIELDS = ['title', 'summary', 'body']

export interface DistinctiveTerm {
  /** Dictionary term number. */
  t: number
  term: string
  score: number
}

export interface RelatedResponse {
  id: string
  hits: Hit[]
  terms: string[]
}

/** The `k` terms of the article with the highest tf-idf, best first (then by term). */
export function distinctiveTerms(engine: Engine, article: Pick<StoredArticle, 'title' | 'body'>, k = RELATED_TERMS): DistinctiveTerm[] {
  const tf = new Map<string, number>()
  const count = (text: string, weight: number) => {
    for (const token of tokenize(text)) for (const term of processTerm(token)) tf.set(term, (tf.get(term) ?? 0) + weight)
  }
  count(article.title, TITLE_TF)
  count(article.body, 1)
  const dict = engine.dictionary
  const F = engine.fields.length
  const textFields = TEXT_FIELDS.map((field) => engine.fields.indexOf(field as never)).filter((f) => f >= 0)
  const N = engine.layout.documentCount
  const scored: DistinctiveTerm[] = []
  for (const [term, frequency] of tf) {
    if (term.length < 2 || /\d/.test(term)) continue
    const t = dict.find(term)
    if (t < 0) continue
    let df = 0
    for (const f of textFields) df = Math.max(df, dict.df[t * F + f]!)
    if (df < 2) continue // in this article only: it cannot relate it to another
    if (df > MAX_DF_SHARE * N) continue // boilerplate ("reuter", "said"): relates it to everything
    scored.push({ t, term, score: (1 + Math.log(frequency)) * Math.log(N / df) })
  }
  scored.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
  return scored.slice(0, k)
}

/** Articles like article number `n`: see the module doc. */
export async function related(index: SearchIndex, lexicon: Lexicon, n: number, limit: number, snippetWords?: number): Promise<RelatedResponse> {
  const { engine } = index
  const [source] = (await index.articles([n])) as [StoredArticle]
  const terms = distinctiveTerms(engine, source)
  const response: RelatedResponse = { id: source.id, hits: [], terms: terms.map(({ term }) => lexicon.surface(term)) }
  if (terms.length === 0) return response
  const plan = relatedPlan(engine, terms)
  await engine.load(plan)
  const matches = engine.execute(plan)
  // Topic boost, in place (the arrays are this call's own).
  const { topicStart, topicIds } = engine.docs
  const mine = new Set<number>()
  for (let i = topicStart[n]!; i < topicStart[n + 1]!; i++) mine.add(topicIds[i]!)
  if (mine.size > 0) {
    for (let i = 0; i < matches.count; i++) {
      const doc = matches.docs[i]!
      for (let j = topicStart[doc]!; j < topicStart[doc + 1]!; j++) {
        if (mine.has(topicIds[j]!)) {
          matches.scores[i]! *= TOPIC_BOOST
          break
        }
      }
    }
  }
  const order = engine.rank(matches, limit + DUPLICATE_SLACK, (doc) => doc !== n)
  const picked = Array.from(order, (i) => ({ n: matches.docs[i]!, score: matches.scores[i]! }))
  const articles = await index.articles(picked.map((hit) => hit.n))
  const key = sameText(source)
  const kept = picked.map((hit, i) => ({ ...hit, article: articles[i]! })).filter((hit) => sameText(hit.article) !== key).slice(0, limit)
  const details = engine.explain(plan, kept.map((hit) => hit.n))
  const scanChars = pageScanBudgets(index, kept.map((hit) => hit.n))
  response.hits = kept.map((hit, i) => toHit(index, hit.article, hit.score, new Set(details.get(hit.n)?.terms ?? []), { words: snippetWords, maxScanChars: scanChars[i]! }))
  return response
}

const basePlans = new WeakMap<Engine, QueryPlan>()

/** An OR plan over the given dictionary terms, each its own query term, weighted by its score relative to the best. */
function relatedPlan(engine: Engine, terms: readonly DistinctiveTerm[]): QueryPlan {
  let base = basePlans.get(engine)
  if (!base) basePlans.set(engine, (base = engine.plan('', { boost: FIELD_BOOSTS })))
  const top = terms[0]!.score
  return {
    ...base,
    terms: terms.map(({ term }) => term),
    specs: terms.map(({ t, term, score }, group) => ({ term, group, derived: [t], weights: [score / top] })),
    and: false,
    chunks: [...new Set(terms.map(({ t }) => engine.chunkOf(t)))].sort((a, b) => a - b),
  }
}

function sameText(article: Pick<StoredArticle, 'title' | 'body'>): string {
  return `${article.title}\u0000${article.body}`.replace(/\s+/g, ' ').trim().toLowerCase()
}

