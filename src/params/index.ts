/**
 * Request parameters: the zod schemas that validate every route's query
 * string, and the rule table that turns a validation failure into a 400 that
 * names the parameter and says what is allowed.
 *
 * Nothing is clamped silently: a value out of range is an error, not a
 * smaller value. Unknown parameters are errors too, so that a typo such as
 * `topics=` instead of `topic=` is caught rather than ignored.
 *
 * @example
 * ```ts
 * app.get('/search', validateQuery(SEARCH_PARAMS), (c) => c.req.valid('query'))
 * ```
 */
import { z } from 'zod'
import { zValidator } from '@hono/zod-validator'
import { analyze } from '../analyzer'
import { errorBody, excerpt } from '../http/errors'

/** Limits of the search parameters. Each one is documented in the README. */
export const SEARCH_LIMITS = {
  /** Longest `q`, in characters. */
  maxQueryLength: 200,
  /** Largest page size. */
  maxLimit: 100,
  /** Default page size. */
  defaultLimit: 10,
  /** Deepest `offset`; deeper paging is a crawl, not a search. */
  maxOffset: 1000,
  /** Most `topic` values in one request. */
  maxTopics: 20,
  /** Most terms in `q` after analysis (stop words dropped, hyphenated words count whole and split). */
  maxQueryTerms: 32,
}

/** What each parameter allows, in words, for error bodies. */
export const ALLOWED: Record<string, string> = {
  q: `a string of at most ${SEARCH_LIMITS.maxQueryLength} characters and ${SEARCH_LIMITS.maxQueryTerms} search terms`,
  topic: `a topic name or slug listed by GET /topics; repeat the parameter for several (at most ${SEARCH_LIMITS.maxTopics})`,
  limit: `an integer from 1 to ${SEARCH_LIMITS.maxLimit}`,
  offset: `an integer from 0 to ${SEARCH_LIMITS.maxOffset}`,
}

const single = (name: string) =>
  z.string({ error: (issue) => (Array.isArray(issue.input) ? `${name} may be given only once` : undefined) })

const integer = (name: string, min: number, max: number, fallback: number) =>
  single(name)
    .regex(/^\d+$/, { error: `${name} must be ${allowedFor(name)}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `${name} must be ${allowedFor(name)}` }).max(max, { error: `${name} must be ${allowedFor(name)}` }))
    .optional()
    .transform((value) => value ?? fallback)

/** What a parameter allows; own keys only, so `__proto__` or `constructor` is just unknown. */
export function allowedFor(parameter: string): string | undefined {
  return Object.hasOwn(ALLOWED, parameter) ? ALLOWED[parameter] : undefined
}

/** `GET /search` query parameters. */
export const SEARCH_PARAMS = z.strictObject(
  {
    q: single('q')
      .max(SEARCH_LIMITS.maxQueryLength, { error: `q must be ${ALLOWED.q}` })
      .refine((q) => analyze(q).length <= SEARCH_LIMITS.maxQueryTerms, { error: `q has too many search terms; allowed: ${ALLOWED.q}` })
      .optional()
      .transform((q) => q ?? ''),
    topic: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((topic) => (topic === undefined ? [] : Array.isArray(topic) ? topic : [topic]))
      .pipe(z.array(z.string()).max(SEARCH_LIMITS.maxTopics, { error: `topic must be ${ALLOWED.topic}` })),
    limit: integer('limit', 1, SEARCH_LIMITS.maxLimit, SEARCH_LIMITS.defaultLimit),
    offset: integer('offset', 0, SEARCH_LIMITS.maxOffset, 0),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter; allowed: ${Object.keys(ALLOWED).join(', ')}` : undefined) },
)
export type SearchParams = z.output<typeof SEARCH_PARAMS>

/** Routes that take no query parameters. */
export const NO_PARAMS = z.strictObject({}, { error: () => 'this route takes no query parameters' })

/**
 * Hono middleware that validates `c.req.query()` against a schema and answers
 * a 400 naming the first bad parameter.
 */
export function validateQuery<T extends z.ZodType>(schema: T) {
  return zValidator('query', schema, (result, c) => {
    if (result.success) return
    const issue = result.error.issues[0]
    const parameter = (issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined) ?? String(issue?.path[0] ?? '')
    return c.json(
      errorBody(400, 'invalid_parameter', issue?.message ?? 'invalid parameter', {
        parameter: excerpt(parameter),
        allowed: allowedFor(parameter) ?? `parameters: ${Object.keys(ALLOWED).join(', ')}`,
      }),
      400,
    )
  })
}
