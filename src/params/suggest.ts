/**
 * Request parameters of `GET /suggest` and `GET /articles/:id/related`, with
 * the same 400 rule as `/search` (`./index.ts`): nothing clamped silently,
 * unknown and repeated parameters refused, and the error names the parameter
 * and says what it allows — here from this file's own {@link SUGGEST_ALLOWED}
 * and {@link RELATED_ALLOWED}, so the `allowed` text fits the route.
 *
 * @example
 * ```ts
 * app.get('/suggest', validateQuery(SUGGEST_PARAMS, SUGGEST_ALLOWED), (c) => c.req.valid('query'))
 * ```
 */
import { z } from 'zod'
import { ALLOWED, SEARCH_LIMITS, integerParam, queryTextParam, single, snippetWordsParam, unknownParameter } from '.'

export const SUGGEST_LIMITS = {
  /** Longest `q`, as /search. */
  maxQueryLength: SEARCH_LIMITS.maxQueryLength,
  /** Most terms in `q` after analysis, as /search. */
  maxQueryTerms: SEARCH_LIMITS.maxQueryTerms,
  /** Most suggestions. */
  maxLimit: 20,
  defaultLimit: 8,
  /** Most related articles. */
  maxRelated: 20,
  defaultRelated: 5,
}

export const SUGGEST_ALLOWED: Record<string, string> = {
  q: `a string of at most ${SUGGEST_LIMITS.maxQueryLength} characters and ${SUGGEST_LIMITS.maxQueryTerms} search terms`,
  limit: `an integer from 1 to ${SUGGEST_LIMITS.maxLimit}`,
  prefix: '"true" (complete the last word) or "false" (only correct)',
}

export const RELATED_ALLOWED: Record<string, string> = {
  limit: `an integer from 1 to ${SUGGEST_LIMITS.maxRelated}`,
  snippetWords: ALLOWED.snippetWords!,
}


/** `GET /suggest` query parameters. */
export const SUGGEST_PARAMS = z.strictObject(
  {
    q: queryTextParam(SUGGEST_LIMITS.maxQueryLength, SUGGEST_LIMITS.maxQueryTerms, SUGGEST_ALLOWED.q!),
    limit: integerParam('limit', SUGGEST_ALLOWED.limit!, 1, SUGGEST_LIMITS.maxLimit, SUGGEST_LIMITS.defaultLimit),
    prefix: single('prefix')
      .refine((value) => value === 'true' || value === 'false', { error: `prefix must be ${SUGGEST_ALLOWED.prefix}` })
      .optional()
      .transform((value) => value !== 'false'),
  },
  unknownParameter(SUGGEST_ALLOWED),
)
export type SuggestParams = z.output<typeof SUGGEST_PARAMS>

/** `GET /articles/:id/related` query parameters. */
export const RELATED_PARAMS = z.strictObject(
  {
    limit: integerParam('limit', RELATED_ALLOWED.limit!, 1, SUGGEST_LIMITS.maxRelated, SUGGEST_LIMITS.defaultRelated),
    snippetWords: snippetWordsParam(),
  },
  unknownParameter(RELATED_ALLOWED),
)
export type RelatedParams = z.output<typeof RELATED_PARAMS>
