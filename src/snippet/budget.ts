/**
 * The snippet scan budget: how many characters of its text each hit of a
 * page may scan for its passage. Apart from the snippet code, with no
 * imports, because the front Worker over shards shares a page's budget too
 * and must not bundle the analyzer.
 *
 * @example
 * ```ts
 * scanBudgets([800, 900, 30_000]) // [800, 900, 10000]: short texts whole, the long one up to 10,000
 * ```
 */

/** Passage length in words by default: 30. */
export const DEFAULT_SNIPPET_WORDS = 30

/** Characters of one text searched for its passage at most: 10,000 (about 1,600 words). */
export const MAX_SCAN_CHARS = 10_000

/**
 * Characters of text searched for the snippets of one page of hits, shared
 * among its hits: 25,000. It bounds the snippet CPU of a request whatever
 * its `limit`. The token scan was the largest single cost of the costliest
 * 20-hit requests (about 1.5–3 ms of workerd CPU at 50,000); 25,000 still
 * covers a whole Reuters story (800 characters on average) for pages of up
 * to 30 hits, and 2,500 characters (about 400 words) a hit at the default
 * `limit=10`.
 */
export const PAGE_SCAN_BUDGET = 25_000

/**
 * `maxScanChars` for each hit of a page of `hits` long texts: the default
 * 10,000 up to 2 hits, then {@link PAGE_SCAN_BUDGET} shared (2,500 each for
 * 10 hits, 1,250 each for 20). What each hit of a real page gets is
 * {@link scanBudgets}, never less than this.
 */
export function scanCharsPerHit(hits: number): number {
  return Math.min(MAX_SCAN_CHARS, Math.floor(PAGE_SCAN_BUDGET / Math.max(1, hits)))
}

/**
 * `maxScanChars` for each hit of a page, given the length of the text each
 * one has to scan: {@link PAGE_SCAN_BUDGET} (or `budget`) shared by water
 * filling. A text shorter than its share takes only its length, and what it
 * leaves goes to the longer ones, up to the default 10,000 each. A page of
 * short stories thus lets its one long story be scanned further than an
 * even split would.
 *
 * @example
 * ```ts
 * scanBudgets([800, 900, 30_000], 6_000) // [800, 900, 4300]
 * ```
 */
export function scanBudgets(lengths: readonly number[], budget = PAGE_SCAN_BUDGET): number[] {
  const out = new Array<number>(lengths.length)
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!)
  let left = budget
  order.forEach((i, k) => {
    const share = Math.min(MAX_SCAN_CHARS, Math.floor(left / (order.length - k)))
    out[i] = Math.min(lengths[i]!, share)
    left -= out[i]!
  })
  return out
}
