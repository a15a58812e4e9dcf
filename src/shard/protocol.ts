/**
 * The internal protocol between the front Worker (`src/front`) and the shard
 * Workers (`src/shard`), over service bindings. Never part of the public API
 * (not in the OpenAPI document); see `docs/sharding.md`.
 *
 * Both calls are `POST`s carrying the client's `/search` query string
 * unchanged (the shard validates it with the same schema as the public route)
 * and a JSON body:
 *
 * | path | body | answer |
 * |---|---|---|
 * | `/_shard/rank` | {@link RankCall} | {@link ShardRanking}: total, facets, matched count, the best `offset + limit` as `[global number, score, key, snippet demand]` |
 * | `/_shard/hits` | {@link HitsCall} | {@link ShardHits}: the hits of those numbers, and `didYouMean` when asked |
 *
 * A request to `/_shard/*` must carry {@link SECRET_HEADER} equal to the
 * shard's `SHARD_SECRET` when that is set.
 */
import type { FacetCount, Hit } from '../search'

export const RANK_PATH = '/_shard/rank'
export const HITS_PATH = '/_shard/hits'
export const SECRET_HEADER = 'x-shard-secret'

/** `and`: do not relax (the front relaxes when no shard matched); `or`: the relaxed query. */
export type ShardMode = 'and' | 'or'

export interface RankCall {
  mode: ShardMode
}

/**
 * A ranking key on the wire: a number, or its string form when it is not
 * finite (JSON has no Infinity), so the front orders exactly as one index would.
 */
export type WireKey = number | string

export interface ShardRanking {
  total: number
  relaxed: boolean
  notices: string[]
  facets: FacetCount[]
  /** Matches before the topic and date filters (AND unless `mode` was `or`); null when the query has no positive term (browse). */
  matched: number | null
  /**
   * The shard's best `offset + limit`: global internal number, displayed
   * score, ranking key, and the snippet's scan demand (`snippetDemand`), by
   * which the front shares the page's scan budget as one index would.
   */
  ranked: [number, number, WireKey, number][]
}

export interface HitsCall {
  mode: ShardMode
  /** Global internal numbers and displayed scores, in page order; all of this shard. */
  hits: [number, number][]
  /** Characters each hit's snippet may scan, in the order of `hits`: its share of the whole page's budget, as in one index. */
  scanChars: number[]
  /** Also compute `didYouMean` (the front asks when the whole corpus found nothing). */
  didYouMean?: { total: number; relaxed: boolean }
}

export interface ShardHits {
  hits: Hit[]
  didYouMean?: string
}

export function encodeKey(key: number): WireKey {
  return Number.isFinite(key) ? key : String(key)
}

export function decodeKey(key: WireKey): number {
  return typeof key === 'number' ? key : Number(key)
}
