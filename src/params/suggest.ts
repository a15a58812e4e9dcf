/**
 * Request parameters of `GET /suggest` and `GET /articles/:id/related`, with
 * the same 400 rule as `/search` (`./index.ts`): nothing clamped silently,
 * unknown and repeated parameters refused, and the error names the parameter
 * and says what it allows — here from this file's own {@link SUGGEST_ALLOWED}
 * and {@link RELATED_ALLOWED}, so the `allowed` text fits the route.
 *
 * @example
 * ```ts
 * app.get('/suggest', validateSuggestQuery(SUGGEST_PARAMS, SUGGEST_ALLOWED), (c) => c.req.valid('query'))
 * ```
 */
import { z } from 'zod'
import { zValidator } from '@hono/zod-validator'
import { analyze } from '../analyzer'
import { errorBody, excerpt } from '../http/errors'
import { ALLOWED, SEARCH_LIMITS, integerParam, single, snippetWordsParam } from '.'

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

const integer = integerParam

const unknown = (allowed: Record<string, string>) => ({
  error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? `unknown parameter; allowed: ${Object.keys(allowed).join(', ')}` : undefined),
})

/** `GET /suggest` query parameters. */
export const SUGGEST_PARAMS = z.strictObject(
  {
    q: single('q')
      .max(SUGGEST_LIMITS.maxQueryLength, { error: `q must be ${SUGGEST_ALLOWED.q}` })
      .refine((q) => analyze(q).length <= SUGGEST_LIMITS.maxQueryTerms, { error: `q has too many search terms; allowed: ${SUGGEST_ALLOWED.q}` })
      .optional()
      .transform((q) => q ?? ''),
    limit: integer('limit', SUGGEST_ALLOWED.limit!, 1, SUGGEST_LIMITS.maxLimit, SUGGEST_LIMITS.defaultLimit),
    prefix: single('prefix')
      .refine((value) => value === 'true' || value === 'false', { error: `prefix must be ${SUGGEST_ALLOWED.prefix}` })
      .optional()
      .transform((value) => value !== 'false'),
  },
  unknown(SUGGEST_ALLOWED),
)
export type SuggestParams = z.output<typeof SUGGEST_PARAMS>

/** `GET /articles/:id/related` query parameters. */
export const RELATED_PARAMS = z.strictObject(
  {
    limit: integer('limit', RELATED_ALLOWED.limit!, 1, SUGGEST_LIMITS.maxRelated, SUGGEST_LIMITS.defaultRelated),
    snippetWords: snippetWordsParam(),
  },
  unknown(RELATED_ALLOWED),
)
export type RelatedParams = z.output<typeof RELATED_PARAMS>

/**
 * Hono middleware: validates `c.req.query()` against `schema` and answers a
 * 400 naming the first bad parameter, with what it allows from `allowed`
 * (own keys only, so `__proto__` is just unknown).
 */
export function validateRouteQuery<T extends z.ZodType>(schema: T, allowed: Record<string, string>) {
  return zValidator('query', schema, (result, c) => {
    if (result.success) return
    const issue = result.error.issues[0]
    const parameter = (issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined) ?? String(issue?.path[0] ?? '')
    return c.json(
      errorBody(400, 'invalid_parameter', issue?.message ?? 'invalid parameter', {
        parameter: excerpt(parameter),
        allowed: (Object.hasOwn(allowed, parameter) ? allowed[parameter] : undefined) ?? `parameters: ${Object.keys(allowed).join(', ')}`,
      }),
      400,
    )
  })
}
