/**
 * Pseudo-relevance feedback (query expansion from the first page of results).
 *
 * A long natural-language query that no article matches in full (relaxed to
 * OR) is ranked twice: the first pass as usual, then the `docs` best articles
 * of that pass are read, their words counted, and the `terms` words that best
 * describe them become a weighted second query whose scores are added to the
 * first pass's. Only the order of the relaxed result set changes: no article is
 * added or removed, so `total`, facets and `relaxed` stay those of the query as
 * typed.
 *
 * Term selection, RM3 (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004), with
 * the feedback documents weighted by their first-pass scores:
 *
 *     P(w | R) = Σ_{d ∈ top docs} (tf(w, d) / |d|) · s(d) / Σ s
 *
 * tf and |d| over the analyzed title, summary and body (the index's terms);
 * s(d) the first-pass score. Candidates are dictionary terms found in at
 * least two of the feedback documents (a word of one document only describes
 * that document, not the topic) and in at most `maxDf` of the corpus's
 * documents. The `terms` best by P(w | R) are kept, original query terms
 * included (RM3 re-weights them too), and their weights are scaled so they sum
 * to `weight` × (distinct query terms):
 *
 *     score'(d) = score(d) + Σ_w  ω_w · BM25+(w, d),   Σ ω_w = weight · |Q|
 *
 * BM25+(w, d) is the engine's per-field score of the exact term (field boosts
 * included, no prefix, no typo, no coordination factor), so an expansion term
 * adds what an extra query word of weight ω_w would.
 */
import { analyze } from '../src/analyzer'
import type { Dictionary, Engine, Matches, QueryPlan } from '../src/engine'
import type { StoredArticle } from '../src/index-format'
import type { Rerank } from '../src/search'

export interface FeedbackOptions {
  /** Feedback documents: the best of the first pass. */
  docs: number
  /** Expansion terms kept. */
  terms: number
  /** Total weight of the expansion terms, relative to the query's (each distinct query term weighs 1). */
  weight: number
  /** Feedback applies to relaxed (OR) queries of at least this many distinct terms. */
  minTerms: number
  /** Candidates in more than this share of the corpus's documents (any field) are skipped. */
  maxDf: number
  /** Candidates must appear in at least this many feedback documents. */
  minDocs: number
  /** Term weighting: `rm3` (P(w | R), above) or `bo1` (Amati's Bose-Einstein: tfx·log2((1 + Pn)/Pn) + log2(1 + Pn), Pn = df/N, tfx = tf summed over the feedback documents). */
  method?: 'rm3' | 'bo1'
}

/**
 * The setting the relevance harness starts from (`eval/engine-tune.ts --prf`). The Worker passes none: feedback is off,
 * because it gave at most +0.006 nDCG@10 on SciFact for 3–8 times the ranking CPU (docs/relevance.md, "Pseudo-relevance feedback").
 */
export const FEEDBACK: FeedbackOptions = { docs: 10, terms: 10, weight: 0.5, minTerms: 6, maxDf: 0.1, minDocs: 2 }

/** Largest document frequency of term t over the fields (its document frequency in the field where it is most common). */
export function maxDf(dict: Dictionary, t: number): number {
  let max = 0
  for (let f = 0; f < dict.fieldCount; f++) max = Math.max(max, dict.df[t * dict.fieldCount + f]!)
  return max
}

/** Feedback as `rank()`'s second look: expands and re-scores where {@link feedbackApplies} (and never under `sort=date`). */
export function feedbackRerank(options: FeedbackOptions): Rerank {
  return async (index, request, plan, matches, relaxed) => {
    if (request.sort === 'date' || !feedbackApplies(plan, relaxed, options)) return matches
    const { engine } = index
    const top = Array.from(engine.rank(matches, options.docs))
    const articles = await index.articles(top.map((i) => matches.docs[i]!))
    return withFeedback(engine, plan, matches, expansionTerms(engine, plan.terms, articles, top.map((i) => matches.scores[i]!), options))
  }
}

/** Whether feedback applies to a plan as run: relaxed to OR, and at least `minTerms` distinct query terms. */
export function feedbackApplies(plan: QueryPlan, relaxed: boolean, options: FeedbackOptions): boolean {
  return relaxed && new Set(plan.terms).size >= options.minTerms
}

/** The expansion terms and their weights ω, from the feedback articles and their first-pass scores. */
export function expansionTerms(engine: Engine, queryTerms: readonly string[], articles: readonly StoredArticle[], scores: readonly number[], options: FeedbackOptions): Map<string, number> {
  const dict = engine.dictionary
  const N = engine.layout.documentCount
  const total = scores.reduce((sum, s) => sum + s, 0)
  const relevance = new Map<string, number>()
  const documents = new Map<string, number>()
  const tfx = new Map<string, number>()
  articles.forEach((article, i) => {
    const terms = analyze(`${article.title}\n${article.summary}\n${article.body}`)
    if (terms.length === 0 || total <= 0) return
    const counts = new Map<string, number>()
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1)
    const docWeight = scores[i]! / total / terms.length
    for (const [term, tf] of counts) {
      relevance.set(term, (relevance.get(term) ?? 0) + tf * docWeight)
      tfx.set(term, (tfx.get(term) ?? 0) + tf)
      documents.set(term, (documents.get(term) ?? 0) + 1)
    }
  })
  const candidates: [string, number][] = []
  for (const [term, p] of relevance) {
    if (documents.get(term)! < options.minDocs) continue
    const t = dict.find(term)
    if (t < 0 || maxDf(dict, t) > options.maxDf * N) continue
    if (options.method === 'bo1') {
      const pn = Math.max(1, dict.totalDf(t)) / N
      candidates.push([term, tfx.get(term)! * Math.log2((1 + pn) / pn) + Math.log2(1 + pn)])
    } else candidates.push([term, p])
  }
  candidates.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const kept = candidates.slice(0, options.terms)
  const mass = kept.reduce((sum, [, p]) => sum + p, 0)
  const scale = mass > 0 ? (options.weight * new Set(queryTerms).size) / mass : 0
  return new Map(kept.map(([term, p]) => [term, p * scale]))
}

/**
 * The first pass's matches re-scored with the expansion terms: the same
 * documents, in the same array order, each score plus Σ ω_w · BM25+(w, d).
 * Exclusions need no second look: the set is the first pass's.
 */
export async function withFeedback(engine: Engine, plan: QueryPlan, matches: Matches, expansion: ReadonlyMap<string, number>): Promise<Matches> {
  if (expansion.size === 0) return matches
  const terms = [...expansion.keys()]
  const second = engine.planInput(
    { groups: terms.map((term) => [{ terms: [term], offsets: null, exact: true }]), excluded: [] },
    { combineWith: 'OR', boost: boostsOf(engine, plan), bm25: plan.bm25, coordination: 0 },
  )
  // One spec per term (exact, weight 1): its weight becomes ω.
  for (const spec of second.specs) spec.weights = spec.weights.map((w) => w * expansion.get(spec.term)!)
  await engine.load(second)
  const extra = engine.execute(second)
  const added = new Float64Array(engine.docs.count)
  for (let i = 0; i < extra.count; i++) added[extra.docs[i]!] = extra.scores[i]!
  const scores = new Float64Array(matches.count)
  for (let i = 0; i < matches.count; i++) scores[i] = matches.scores[i]! + added[matches.docs[i]!]!
  return { count: matches.count, docs: matches.docs, scores, masks: matches.masks }
}

/** The plan's field boosts by field name. */
function boostsOf(engine: Engine, plan: QueryPlan): Record<string, number> {
  return Object.fromEntries(engine.fields.map((field, f) => [field, plan.boosts[f]!]))
}
