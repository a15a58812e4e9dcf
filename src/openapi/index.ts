/**
 * The OpenAPI 3.1 contract of the API, generated from the same zod schemas
 * that validate requests (`src/params`) and describe answers
 * (`src/api-schema`), so the document and the validation cannot drift
 * apart. `GET /openapi.json` serves it and `GET /docs` renders it.
 *
 * Each operation names its query schema; its parameters are derived from that
 * schema's shape with zod's own JSON Schema conversion, and each parameter's
 * description is the same "allowed" text that a 400 answer gives.
 *
 * @example
 * ```ts
 * const doc = openApiDocument()
 * doc.paths['/search'].get.parameters.map((p) => p.name) // ['q', 'topic', 'limit', 'offset', …]
 * ```
 */
import { z } from 'zod'
import { ARTICLE_RESPONSE, ERROR_RESPONSE, HEALTH_RESPONSE, RELATED_RESPONSE, SEARCH_RESPONSE, SUGGEST_RESPONSE, TOPICS_RESPONSE } from '../api-schema'
import { ALLOWED, NO_PARAMS, SEARCH_LIMITS, SEARCH_PARAMS } from '../params'
import { RELATED_ALLOWED, RELATED_PARAMS, SUGGEST_ALLOWED, SUGGEST_PARAMS } from '../params/suggest'
import { MAX_EXPANSIONS } from '../engine'
import { MAX_TYPO_TERMS } from '../search'
import { DEFAULT_SNIPPET_OPTIONS, PAGE_SCAN_BUDGET } from '../snippet'

type QuerySchema = z.ZodObject<z.ZodRawShape>

export interface Operation {
  method: 'get'
  /** OpenAPI path, with `{param}` for path parameters. */
  path: string
  summary: string
  description?: string
  query?: QuerySchema
  /** What each query parameter allows, in words: the same text a 400 gives. */
  allowed?: Record<string, string>
  pathParameters?: { name: string; description: string }[]
  /** JSON answer of a 200, or the media type of a non-JSON answer. */
  response: z.ZodType | { mediaType: string; description: string }
  /** Error statuses the operation answers with the JSON error body. */
  errors: number[]
}

/** Every operation of the API; a test checks this list against the app's routes. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/search',
    summary: 'Ranked full-text search with topic filter and facets',
    description:
      'Every word must match (AND), relaxed to any word when none does. The topic filter applies before paging; ' +
      'topic facets are disjunctive. An empty q lists articles newest first.',
    query: SEARCH_PARAMS as unknown as QuerySchema,
    allowed: ALLOWED,
    response: SEARCH_RESPONSE,
    errors: [400, 429, 503],
  },
  {
    method: 'get',
    path: '/suggest',
    summary: 'As-you-type completions from the index terms and titles',
    query: SUGGEST_PARAMS as unknown as QuerySchema,
    allowed: SUGGEST_ALLOWED,
    response: SUGGEST_RESPONSE,
    errors: [400, 429, 503],
  },
  {
    method: 'get',
    path: '/articles/{id}/related',
    summary: "More like this: the article's most distinctive terms, same topics boosted",
    query: RELATED_PARAMS as unknown as QuerySchema,
    allowed: RELATED_ALLOWED,
    pathParameters: [{ name: 'id', description: 'an article id, as in a search hit' }],
    response: RELATED_RESPONSE,
    errors: [400, 404, 429, 503],
  },
  { method: 'get', path: '/topics', summary: 'Every topic with its article count', query: NO_PARAMS, response: TOPICS_RESPONSE, errors: [400, 429, 503] },
  {
    method: 'get',
    path: '/articles/{id}',
    summary: 'One article with its related links',
    query: NO_PARAMS,
    pathParameters: [{ name: 'id', description: 'an article id, as in a search hit' }],
    response: ARTICLE_RESPONSE,
    errors: [400, 404, 429, 503],
  },
  { method: 'get', path: '/health', summary: 'Status, index version, article count and build time', query: NO_PARAMS, response: HEALTH_RESPONSE, errors: [400, 503] },
  { method: 'get', path: '/', summary: 'The demo page: the search box over this API', response: { mediaType: 'text/html', description: 'the demo page' }, errors: [] },
  { method: 'get', path: '/widget.js', summary: 'The <article-search> web component', response: { mediaType: 'text/javascript', description: 'the widget script' }, errors: [] },
  { method: 'get', path: '/site.css', summary: "The demo page's stylesheet", response: { mediaType: 'text/css', description: 'the stylesheet' }, errors: [] },
  { method: 'get', path: '/openapi.json', summary: 'This document', response: { mediaType: 'application/json', description: 'the OpenAPI 3.1 document' }, errors: [] },
  { method: 'get', path: '/docs', summary: 'The API reference, rendered from this document', response: { mediaType: 'text/html', description: 'the reference page' }, errors: [] },
]

const JSON_SCHEMA_OPTIONS = { target: 'draft-2020-12', unrepresentable: 'any' } as const

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { ...JSON_SCHEMA_OPTIONS, io }) as Record<string, unknown>
  return rest
}

function queryParameters(schema: QuerySchema, allowed: Record<string, string>): Record<string, unknown>[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const inputSchema = jsonSchema(field as z.ZodType, 'input')
    const repeatable = name === 'topic'
    return {
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      description: Object.hasOwn(allowed, name) ? allowed[name] : name,
      schema: inputSchema,
      ...(repeatable ? { style: 'form', explode: true } : {}),
    }
  })
}

function operationObject(operation: Operation): Record<string, unknown> {
  const parameters = [
    ...(operation.pathParameters ?? []).map(({ name, description }) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })),
    ...(operation.query ? queryParameters(operation.query, operation.allowed ?? {}) : []),
  ]
  const ok =
    operation.response instanceof z.ZodType
      ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } } }
      : { description: operation.response.description, content: { [operation.response.mediaType]: { schema: { type: 'string' } } } }
  const responses: Record<string, unknown> = { '200': ok }
  if (operation.response instanceof z.ZodType) responses['304'] = { description: 'Not modified: If-None-Match matched the ETag (the index version)' }
  for (const status of operation.errors) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  }
  return {
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    operationId: operation.path === '/' ? 'getRoot' : `${operation.method}${operation.path.replace(/[^a-zA-Z]+(.)?/g, (_, next?: string) => (next ? next.toUpperCase() : ''))}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  }
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'A bad, repeated or unknown query parameter; the body names it and says what is allowed',
  404: 'No such article',
  429: 'Too many requests from this client; Retry-After says when to come back',
  503: 'The index could not be loaded',
}

let cached: Record<string, unknown> | undefined

/** The OpenAPI 3.1 document (built once per isolate). */
export function openApiDocument(): Record<string, any> {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Edge article search',
      version: '1',
      description:
        `Ranked full-text search over articles, from a Cloudflare Worker. Limits: q at most ${SEARCH_LIMITS.maxQueryLength} characters and ` +
        `${SEARCH_LIMITS.maxQueryTerms} terms and ${SEARCH_LIMITS.maxPhrases} quoted phrases; limit 1–${SEARCH_LIMITS.maxLimit}; offset 0–${SEARCH_LIMITS.maxOffset}; at most ${SEARCH_LIMITS.maxTopics} topics; ` +
        `snippetWords ${SEARCH_LIMITS.minSnippetWords}–${SEARCH_LIMITS.maxSnippetWords} (default ${SEARCH_LIMITS.defaultSnippetWords}). ` +
        `Budgets that shape an answer without refusing it: typo tolerance for the first ${MAX_TYPO_TERMS} words of 5 letters or more; ` +
        `a typo or prefix expands to the ${MAX_EXPANSIONS} most frequent terms per word; snippets search the first ${DEFAULT_SNIPPET_OPTIONS.maxScanChars} characters ` +
        `of a body, and ${PAGE_SCAN_BUDGET} for a whole page.`,
    },
    paths: Object.fromEntries(
      [...new Set(OPERATIONS.map((operation) => operation.path))].map((path) => [
        path,
        Object.fromEntries(OPERATIONS.filter((operation) => operation.path === path).map((operation) => [operation.method, operationObject(operation)])),
      ]),
    ),
    components: { schemas: { Error: jsonSchema(ERROR_RESPONSE, 'output') } },
  }
  return cached
}
