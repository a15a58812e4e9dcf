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
import { parseQuery } from '../query'
import { SEARCH_LIMITS } from './limits'
import { errorBody, excerpt } from '../http/errors'

/** The limits, in `./limits` so that the widget can import them without zod. */
export { SEARCH_LIMITS }

/** What each parameter allows, in words, for error bodies. */
export const ALLOWED: Record<string, string> = {
  q: `a string of at most ${SEARCH_LIMITS.maxQueryLength} characters, ${SEARCH_LIMITS.maxQueryTerms} search terms and ${SEARCH_LIMITS.maxPhrases} quoted phrases`,
  topic: `a topic name or slug listed by GET /topics; repeat the parameter for several (at most ${SEARCH_LIMITS.maxTopics})`,
  limit: `an integer from 1 to ${SEARCH_LIMITS.maxLimit}`,
  offset: `an integer from 0 to ${SEARCH_LIMITS.maxOffset}`,
  sort: '`relevance` (default) or `date` (newest first)',
  from: 'an ISO 8601 date, YYYY-MM-DD (from the start of that day, UTC) or YYYY-MM-DDTHH:MM[:SS[.sss]][Z|±HH:MM] (no zone: UTC); inclusive, not after to',
  to: 'an ISO 8601 date, YYYY-MM-DD (to the end of that day, UTC) or YYYY-MM-DDTHH:MM[:SS[.sss]][Z|±HH:MM] (no zone: UTC); inclusive, not before from',
  recency: `a half-life in days: a number greater than 0 and at most ${SEARCH_LIMITS.maxRecencyDays}`,
  snippetWords: `an integer from ${SEARCH_LIMITS.minSnippetWords} to ${SEARCH_LIMITS.maxSnippetWords}: the snippet's length in words (default ${SEARCH_LIMITS.defaultSnippetWords})`,
}

/** A parameter that may appear once. Shared by every route's schema. */
export const single = (name: string) =>
  z.string({ error: (issue) => (Array.isArray(issue.input) ? `${name} may be given only once` : undefined) })

/** An optional whole-number parameter in [min, max], `fallback` when absent; `allowed` is the error text. */
export const integerParam = (name: string, allowed: string, min: number, max: number, fallback: number) =>
  single(name)
    .regex(/^\d+$/, { error: `${name} must be ${allowed}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `${name} must be ${allowed}` }).max(max, { error: `${name} must be ${allowed}` }))
    .optional()
    .transform((value) => value ?? fallback)

const integer = (name: string, min: number, max: number, fallback: number) => integerParam(name, allowedFor(name) ?? name, min, max, fallback)

/** `snippetWords`, the snippet length: the same parameter on /search and /articles/:id/related. */
export const snippetWordsParam = () =>
  integer('snippetWords', SEARCH_LIMITS.minSnippetWords, SEARCH_LIMITS.maxSnippetWords, SEARCH_LIMITS.defaultSnippetWords)

const ISO_PARAM = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/

/**
 * An ISO 8601 date parameter as ms since 1970, or NaN when it is not one (or
 * names a day or time that does not exist). Without a zone the time is UTC,
 * as article dates without a zone are read. A date alone means the start of
 * the day, or with `endOfDay` its last millisecond, so that `to=1987-03-31`
 * includes the whole of March 31.
 */
export function parseDateParam(value: string, endOfDay = false): number {
  const match = ISO_PARAM.exec(value)
  if (!match) return Number.NaN
  const [, y, mo, d, h, mi, sec = '0', fraction = '', zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = h === undefined ? 0 : Number(h)
  const minute = mi === undefined ? 0 : Number(mi)
  const second = Number(sec)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN
  const at = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, '0'))))
  at.setUTCFullYear(year)
  if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return Number.NaN // 2025-02-30
  let ms = at.getTime()
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1
    const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number]
    if (zh > 23 || zm > 59) return Number.NaN
    ms -= sign * (zh * 60 + zm) * 60_000
  }
  if (endOfDay && h === undefined) ms += 86_400_000 - 1
  return ms
}

const dateParam = (name: 'from' | 'to') =>
  single(name)
    .transform((value, ctx) => {
      const ms = parseDateParam(value, name === 'to')
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be ${ALLOWED[name]}` })
        return z.NEVER
      }
      return ms
    })
    .optional()

/** What a parameter allows; own keys only, so `__proto__` or `constructor` is just unknown. */
export function allowedFor(parameter: string): string | undefined {
  return Object.hasOwn(ALLOWED, parameter) ? ALLOWED[parameter] : undefined
}

/** Quoted phrases of two words or more in a query, as the parser reads it (excluded ones too). */
function phraseCount(q: string): number {
  const tree = parseQuery(q)
  return [...tree.groups.flat(), ...tree.excluded].filter((clause) => clause.kind === 'phrase' && clause.words.length > 1).length
}

/** `q`: at most `maxLength` characters, `maxTerms` terms after analysis and `maxPhrases` phrases, '' when absent; `allowed` is the error text. */
export const queryTextParam = (maxLength: number, maxTerms: number, allowed: string, maxPhrases = Infinity) =>
  single('q')
    .max(maxLength, { error: `q must be ${allowed}` })
    .refine((q) => analyze(q).length <= maxTerms, { error: `q has too many search terms; allowed: ${allowed}` })
    .refine((q) => maxPhrases === Infinity || phraseCount(q) <= maxPhrases, { error: `q has too many quoted phrases; allowed: ${allowed}` })
    .optional()
    .transform((q) => q ?? '')

/** The error of a route's strict schema for a parameter it does not know: the parameters it allows. */
export const unknownParameter = (allowed: Record<string, string>) => ({
  error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? `unknown parameter; allowed: ${Object.keys(allowed).join(', ')}` : undefined),
})

/** `GET /search` query parameters. */
export const SEARCH_PARAMS = z.strictObject(
  {
    q: queryTextParam(SEARCH_LIMITS.maxQueryLength, SEARCH_LIMITS.maxQueryTerms, ALLOWED.q!, SEARCH_LIMITS.maxPhrases),
    topic: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((topic) => (topic === undefined ? [] : Array.isArray(topic) ? topic : [topic]))
      .pipe(z.array(z.string()).max(SEARCH_LIMITS.maxTopics, { error: `topic must be ${ALLOWED.topic}` })),
    limit: integer('limit', 1, SEARCH_LIMITS.maxLimit, SEARCH_LIMITS.defaultLimit),
    offset: integer('offset', 0, SEARCH_LIMITS.maxOffset, 0),
    sort: single('sort')
      .refine((sort) => sort === 'relevance' || sort === 'date', { error: `sort must be ${ALLOWED.sort}` })
      .optional()
      .transform((sort) => (sort ?? 'relevance') as 'relevance' | 'date'),
    from: dateParam('from'),
    to: dateParam('to'),
    recency: single('recency')
      .regex(/^(?:\d+(?:\.\d+)?|\.\d+)$/, { error: `recency must be ${ALLOWED.recency}` })
      .transform(Number)
      .pipe(
        z
          .number()
          .gt(0, { error: `recency must be ${ALLOWED.recency}` })
          .max(SEARCH_LIMITS.maxRecencyDays, { error: `recency must be ${ALLOWED.recency}` }),
      )
      .optional(),
    snippetWords: snippetWordsParam(),
  },
  unknownParameter(ALLOWED),
).superRefine((params, ctx) => {
  if (params.from !== undefined && params.to !== undefined && params.from > params.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' })
  }
})
export type SearchParams = z.output<typeof SEARCH_PARAMS>

/** Routes that take no query parameters. */
export const NO_PARAMS = z.strictObject({}, { error: () => 'this route takes no query parameters' })

/**
 * Hono middleware that validates `c.req.query()` against a schema and answers
 * a 400 naming the first bad parameter and what it allows, from `allowed`
 * (the route's own table; own keys only, so `__proto__` is just unknown).
 */
export function validateQuery<T extends z.ZodType>(schema: T, allowed: Record<string, string> = ALLOWED) {
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
