/**
 * Ranking metrics of the relevance harness, as `trec_eval` computes them.
 *
 * - nDCG@k (`ndcg_cut.k`): gain = the qrels score of the document (graded; 0
 *   when unjudged or judged ≤ 0), discount = log2(rank + 1), so rank 1 counts
 *   fully and rank 3 counts 1/log2(4) = 0.5. The ideal DCG sorts the judged
 *   relevant documents (score > 0) by gain and cuts at k.
 * - Recall@k: share of the judged relevant documents found in the top k.
 *
 * Policies, stated because they change the numbers:
 * - A query with no relevant document in the qrels has no ideal ranking; it is
 *   left out of the mean (`undefined` here), not counted as 0 or 1.
 * - A query that returned nothing scores 0 (it stays in the mean), as with
 *   `trec_eval -c`.
 * - A document id repeated in a ranking keeps its slot but earns no gain the
 *   second time, so a duplicate can only lower the score and nDCG stays ≤ 1.
 *
 * @example
 * ```ts
 * const judged = new Map([['a', 1], ['c', 1]])
 * ndcgAt(['a', 'b', 'c'], judged, 10) // 1.5 / (1 + 1/log2(3)) = 0.9197…
 * ```
 */

/** Judgements of one query: document id → relevance score (> 0 is relevant). */
export type Judgements = ReadonlyMap<string, number>

/** Gains of the ranking, first k positions; repeats and unjudged documents gain 0. */
function gains(ranking: readonly string[], judged: Judgements, k: number): number[] {
  const seen = new Set<string>()
  return ranking.slice(0, k).map((id) => {
    if (seen.has(id)) return 0
    seen.add(id)
    return Math.max(0, judged.get(id) ?? 0)
  })
}

/** Discounted cumulative gain of a list of gains: sum of gain / log2(rank + 1). */
export function dcg(gainList: readonly number[]): number {
  let sum = 0
  gainList.forEach((gain, i) => {
    sum += gain / Math.log2(i + 2)
  })
  return sum
}

/** nDCG@k of one ranking; `undefined` when the query has no relevant document. */
export function ndcgAt(ranking: readonly string[], judged: Judgements, k: number): number | undefined {
  const ideal = [...judged.values()].filter((score) => score > 0).sort((a, b) => b - a).slice(0, k)
  if (ideal.length === 0) return undefined
  return dcg(gains(ranking, judged, k)) / dcg(ideal)
}

/** Recall@k of one ranking; `undefined` when the query has no relevant document. */
export function recallAt(ranking: readonly string[], judged: Judgements, k: number): number | undefined {
  const relevant = [...judged].filter(([, score]) => score > 0).map(([id]) => id)
  if (relevant.length === 0) return undefined
  const top = new Set(ranking.slice(0, k))
  return relevant.filter((id) => top.has(id)).length / relevant.length
}

/** Mean of the defined values; `NaN` when there is none. */
export function mean(values: readonly (number | undefined)[]): number {
  const defined = values.filter((value): value is number => value !== undefined)
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length
}
