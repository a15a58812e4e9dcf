/**
 * How the front Worker combines the shards' answers into the single index's
 * answer (`docs/sharding.md`). Pure functions, no I/O.
 *
 * - Relaxation is decided on the whole corpus: the AND query is relaxed to OR
 *   only when no shard matched it ({@link needsRelaxing}).
 * - `total` and each topic's facet count are sums; facets are then ordered
 *   as one index orders them (count descending, then slug).
 * - Hits: every shard sends its best `offset + limit` with global internal
 *   numbers and ranking keys; merged by key descending, then number
 *   ascending (the engine's tie-break: newest first), and cut to the page.
 *   Under date order and when browsing the key is 0, so the number alone
 *   orders, as in one index. Shards hold contiguous ranges of numbers and
 *   score with global statistics, so this is the single index's order.
 */
import type { FacetCount } from '../search'
import { decodeKey, type ShardRanking } from '../shard/protocol'

/** A candidate hit: which shard has it, its global number, score and key, and its snippet's scan demand. */
export interface Candidate {
  shard: number
  n: number
  score: number
  key: number
  demand: number
}

/** True when the query has positive terms and no shard matched its AND form. */
export function needsRelaxing(rankings: readonly ShardRanking[]): boolean {
  return rankings.every((ranking) => ranking.matched === 0)
}

/** Facet counts summed per topic, most frequent first, then by slug. */
export function mergeFacets(lists: readonly (readonly FacetCount[])[]): FacetCount[] {
  const bySlug = new Map<string, FacetCount>()
  for (const list of lists) {
    for (const facet of list) {
      const seen = bySlug.get(facet.slug)
      if (seen) seen.count += facet.count
      else bySlug.set(facet.slug, { ...facet })
    }
  }
  return [...bySlug.values()].sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
}

/** The page `[offset, offset + limit)` of the merged candidates. */
export function mergePage(rankings: readonly ShardRanking[], offset: number, limit: number): Candidate[] {
  const all: Candidate[] = []
  rankings.forEach((ranking, shard) => {
    for (const [n, score, key, demand] of ranking.ranked) all.push({ shard, n, score, key: decodeKey(key), demand })
  })
  all.sort((a, b) => b.key - a.key || a.n - b.n)
  return all.slice(offset, offset + limit)
}
