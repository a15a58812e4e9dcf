/**
 * Paging through `/search` as a client does, for the tests and the
 * evaluation: a `limit` over the API's page cap (`SEARCH_LIMITS.maxLimit`)
 * becomes consecutive pages of the cap, which stop at the answer's `total` and
 * at the deepest `offset` allowed.
 *
 * @example
 * ```ts
 * for (const [from, size] of laterPages(0, 100, first.total)) hits.push(...(await page(from, size)).hits)
 * ```
 */
import { SEARCH_LIMITS } from '../src/params'

/** [offset, limit] of the pages after the first (which starts at `offset` and holds up to `maxLimit`) that cover `limit` hits from `offset`. */
export function* laterPages(offset: number, limit: number, total: number): Generator<[number, number]> {
  const { maxLimit, maxOffset } = SEARCH_LIMITS
  for (let from = offset + maxLimit; from < offset + limit && from < total && from <= maxOffset; from += maxLimit) {
    yield [from, Math.min(maxLimit, offset + limit - from)]
  }
}
