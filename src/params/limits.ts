/**
 * The limits of the search parameters, apart from the schemas that enforce
 * them (`src/params`), and with no import of zod or of the analyzer, so that
 * the widget can share them.
 *
 * @example
 * ```ts
 * import { SEARCH_LIMITS } from '../src/params/limits'
 * const pageSize = Math.min(requested, SEARCH_LIMITS.maxLimit)
 * ```
 */
import { DEFAULT_SNIPPET_WORDS } from '../snippet/budget'

/** Limits of the search parameters. Each one is documented in the README. */
export const SEARCH_LIMITS = {
  /** Longest `q`, in characters. */
  maxQueryLength: 200,
  /**
   * Largest page size: 20, the page Algolia and Meilisearch give by default.
   * Every hit of a page costs a fragment, a snippet, its matched terms and
   * its share of the JSON, about 0.07 ms of CPU each in workerd: at 100 hits
   * the costliest request took 5–6 ms more than at 20, over a 10 ms budget.
   * Longer lists page with `offset`.
   */
  maxLimit: 20,
  /** Default page size. */
  defaultLimit: 10,
  /** Deepest `offset`; deeper paging is a crawl, not a search. */
  maxOffset: 1000,
  /** Most `topic` values in one request. */
  maxTopics: 20,
  /** Most terms in `q` after analysis (stop words dropped, hyphenated words count whole and split). */
  maxQueryTerms: 32,
  /**
   * Most quoted phrases of two words or more in `q`, excluded ones included.
   * Each is checked against the positions of its words in every document
   * that has them all, walking their whole position lists: with four phrases
   * of common words OR-ed with common words, a request took 9.9 ms of CPU in
   * workerd, at the 10 ms budget.
   */
  maxPhrases: 3,
  /** Longest recency half-life, in days (100 years: any longer is no recency at all). */
  maxRecencyDays: 36_500,
  /** Snippet length in words: default, shortest, longest (also for /articles/:id/related). */
  defaultSnippetWords: DEFAULT_SNIPPET_WORDS,
  minSnippetWords: 5,
  maxSnippetWords: 100,
}
