/**
 * The response contract: zod schemas of every answer the API gives.
 *
 * The request schemas live in `src/params`; these describe the bodies, so
 * that tests (and the OpenAPI document) check answers against the same
 * definitions instead of re-describing them.
 *
 * @example
 * ```ts
 * SEARCH_RESPONSE.parse(await response.json())
 * ```
 */
import { z } from 'zod'

const TOPIC_COUNT = z.object({ topic: z.string(), slug: z.string(), count: z.number().int().nonnegative() })

export const HIT = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  date: z.string().nullable(),
  source: z.string(),
  url: z.string(),
  topics: z.array(z.string()),
  score: z.number().nonnegative(),
  /** Safe HTML: escaped text with `<mark>` around matches. */
  snippet: z.string(),
  /** The title's words that matched the query (stems, typos, prefixes): `[start, end)` in UTF-16 code units of `title`, in order. */
  titleHighlights: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])),
  /** Safe HTML: the title escaped, with `<mark>` around `titleHighlights`. */
  titleHtml: z.string(),
})

export const SEARCH_RESPONSE = z.object({
  query: z.string(),
  total: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
  relaxed: z.boolean(),
  /** What the query parser could not read as syntax, and what it did instead; empty when none. */
  notices: z.array(z.string()),
  /** A corrected query from the index vocabulary, when the query found nothing. */
  didYouMean: z.string().optional(),
  hits: z.array(HIT),
  facets: z.object({ topics: z.array(TOPIC_COUNT) }),
})

export const TOPICS_RESPONSE = z.object({ topics: z.array(TOPIC_COUNT) })

export const ARTICLE_RESPONSE = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  body: z.string(),
  date: z.string().nullable(),
  source: z.string(),
  url: z.string(),
  topics: z.array(z.string()),
  related: z.array(z.object({ title: z.string(), topic: z.string(), date: z.string().nullable() })),
})

export const HEALTH_RESPONSE = z.object({
  status: z.literal('ok'),
  indexVersion: z.string(),
  formatVersion: z.number().int(),
  articleCount: z.number().int().nonnegative(),
  builtAt: z.string(),
})

export const ERROR_RESPONSE = z.object({
  error: z.object({
    status: z.number().int(),
    code: z.string(),
    message: z.string(),
    parameter: z.string().optional(),
    allowed: z.string().optional(),
  }),
})

export const SUGGEST_RESPONSE = z.object({
  query: z.string(),
  suggestions: z.array(z.object({ text: z.string(), kind: z.enum(['query', 'title']), id: z.string().optional() })),
})

export const RELATED_RESPONSE = z.object({
  id: z.string(),
  hits: z.array(HIT.partial({ snippet: true })),
  terms: z.array(z.string()),
})
