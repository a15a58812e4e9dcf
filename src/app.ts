/**
 * The HTTP API: every route of the Worker, in one place.
 *
 * | route | what |
 * |---|---|
 * | `GET /search?q=&topic=&limit=&offset=&snippetWords=` | ranked hits, topic filter, facets |
 * | `GET /topics` | every topic with its article count |
 * | `GET /articles/:id` | one article with its related links |
 * | `GET /articles/:id/related?limit=&snippetWords=` | more like this: articles sharing its most distinctive terms (`src/related`) |
 * | `GET /suggest?q=&limit=&prefix=` | as-you-type query completions and matching titles (`src/suggest`) |
 * | `GET /health` | status, index version, article count, build time |
 * | `GET /` | the demo page (`src/site`) |
 * | `GET /widget.js` | the `<article-search>` web component (`widget/`) |
 * | `GET /site.css` | the demo page's stylesheet |
 * | `GET /openapi.json` | the OpenAPI 3.1 contract (`src/openapi`) |
 * | `GET /docs` | the API reference page, rendered from the contract |
 *
 * The index is passed in as a function so the app can be built over any
 * artefacts; `src/index.ts` passes the bundled ones.
 *
 * @example
 * ```ts
 * const app = createApp((env) => loadSearchIndex(assetSource(env.ASSETS)))
 * export default app
 * ```
 */
import { Hono, type Context, type Env } from 'hono'
import { createMiddleware } from 'hono/factory'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import { errorBody, excerpt, type ErrorBody } from './http/errors'
import { versionedCache } from './http/cache'
import { edgeCache } from './http/edge-cache'
import { rateLimit } from './http/rate-limit'
import { NO_PARAMS, SEARCH_PARAMS, validateQuery, ALLOWED } from './params'
import { resolveTopic, topicName, type SearchIndex } from './search-index'
import { search } from './search'
import { registerSite } from './site'
import { registerApiDocs } from './openapi/routes'
import type { StoredArticle } from './index-format'
import { RELATED_ALLOWED, RELATED_PARAMS, SUGGEST_ALLOWED, SUGGEST_PARAMS } from './params/suggest'
import { assetSource, type ArtefactSource } from './search-index'
import { didYouMean, loadLexicon, suggest } from './suggest'
import { related } from './related'

export interface Bindings {
  /** Comma-separated origins allowed by CORS, or `*` for any. Set in `wrangler.toml` `[vars]`. */
  ALLOWED_ORIGINS?: string
  /** The static assets that hold the index artefacts. */
  ASSETS: Fetcher
  /** Optional per-client rate limit (`[[ratelimits]]` in wrangler.toml); absent: no limit. */
  RATE_LIMITER?: RateLimit
}

type AppEnv = { Bindings: Bindings; Variables: { index: SearchIndex } }

/** The bindings every app of the project reads, the front Worker's included (`src/front`). */
export type CommonBindings = Pick<Bindings, 'ALLOWED_ORIGINS' | 'RATE_LIMITER'>

/** A new app with what every public app shares: security headers, CORS, and the per-client rate limit. */
export function baseApp<E extends { Bindings: CommonBindings }>(): Hono<E> {
  const app = new Hono<E>()
  // Security headers on every answer. Cross-Origin-Resource-Policy is
  // cross-origin because other sites load /widget.js and call the API; pages
  // set their own Content-Security-Policy (src/site, src/openapi).
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginOpenerPolicy: 'same-origin', referrerPolicy: 'strict-origin-when-cross-origin' }))
  app.use(
    '*',
    cors({
      origin: (origin, c) => allowedOrigin(origin, c.env?.ALLOWED_ORIGINS),
      allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      exposeHeaders: ['ETag'],
      maxAge: 86400,
    }),
  )
  for (const path of ['/search', '/suggest', '/topics', '/articles/*']) {
    app.use(path, rateLimit({ binding: (c) => c.env?.RATE_LIMITER, retryAfterSeconds: 60 }))
  }
  return app
}

/**
 * @param getIndex the index, per request (load it once and keep it).
 * @param sourceOf where files beside the index (the suggest lexicon) are read from. Default: the `ASSETS` binding.
 */
export function createApp(
  getIndex: (env: Bindings) => Promise<SearchIndex>,
  sourceOf: (env: Bindings) => ArtefactSource = (env) => assetSource(env.ASSETS),
) {
  const app = baseApp<AppEnv>()
  // Loads the index (once per isolate) for the routes that need it, and after each answer runs a step of its warm-up until none is left.
  const withIndex = createMiddleware<AppEnv>(async (c, next) => {
    let index: SearchIndex
    try {
      index = await getIndex(c.env)
    } catch (error) {
      console.error(error)
      return c.json(errorBody(503, 'index_unavailable', 'the search index could not be loaded; try again shortly'), 503)
    }
    c.set('index', index)
    await next()
    warmInBackground(c, index)
  })
  const cached = versionedCache({ version: (c) => c.get('index').manifest.indexVersion })
  const edgeCached = edgeCache({ version: (c) => c.get('index').manifest.indexVersion })

  app.get('/search', withIndex, cached, edgeCached, validateQuery(SEARCH_PARAMS), async (c) => {
    const params = c.req.valid('query')
    const index = c.get('index')
    const slugs = topicSlugs(index, params.topic)
    if (!Array.isArray(slugs)) return c.json(slugs, 400)
    const { q, limit, offset, sort, from, to, recency, snippetWords } = params
    const answer = await search(index, { q, topics: slugs, limit, offset, sort, from, to, recency, snippetWords })
    // Nothing found: offer a corrected query built from the index vocabulary. Only then: with
    // even one hit, a rare real word ("putin", in one article) would be "corrected" to a common one.
    if (q.trim() !== '' && answer.total === 0) {
      const suggestion = didYouMean(index, q, await loadLexicon(index, sourceOf(c.env)), answer)
      if (suggestion !== undefined) return c.json({ ...answer, didYouMean: suggestion })
    }
    return c.json(answer)
  })

  app.get('/topics', withIndex, cached, validateQuery(NO_PARAMS), (c) => {
    const index = c.get('index')
    return c.json({ topics: index.manifest.topics.map(({ name, slug, count }) => ({ topic: name, slug, count })) })
  })

  app.get('/articles/:id', withIndex, cached, validateQuery(NO_PARAMS), async (c) => {
    const index = c.get('index')
    const id = c.req.param('id')
    const n = index.numberOf(id)
    if (n === undefined) return c.json(errorBody(404, 'not_found', `no article with id "${excerpt(id)}"`), 404)
    const [article] = (await index.articles([n])) as [StoredArticle]
    return c.json({ ...article, topics: article.topics.map((slug) => topicName(index, slug)) })
  })

  app.get('/articles/:id/related', withIndex, cached, validateQuery(RELATED_PARAMS, RELATED_ALLOWED), async (c) => {
    const index = c.get('index')
    const id = c.req.param('id')
    const n = index.numberOf(id)
    if (n === undefined) return c.json(errorBody(404, 'not_found', `no article with id "${excerpt(id)}"`), 404)
    const lexicon = await loadLexicon(index, sourceOf(c.env))
    const { limit, snippetWords } = c.req.valid('query')
    return c.json(await related(index, lexicon, n, limit, snippetWords))
  })

  app.get('/suggest', withIndex, cached, validateQuery(SUGGEST_PARAMS, SUGGEST_ALLOWED), async (c) => {
    const { q, limit, prefix } = c.req.valid('query')
    const index = c.get('index')
    // The lexicon (surface forms, titles) is read once per index, next to it.
    const lexicon = await loadLexicon(index, sourceOf(c.env))
    return c.json(await suggest(index, lexicon, { q, limit, prefix }))
  })

  app.get('/health', withIndex, validateQuery(NO_PARAMS), (c) => {
    const { manifest } = c.get('index')
    c.header('Cache-Control', 'no-store')
    return c.json({
      status: 'ok',
      indexVersion: manifest.indexVersion,
      formatVersion: manifest.formatVersion,
      articleCount: manifest.articleCount,
      builtAt: manifest.builtAt,
    })
  })

  return finishApp(app)
}

/** The site, the API docs, and the 404 and 500 answers: the last routes of every public app. */
export function finishApp<E extends Env>(app: Hono<E>): Hono<E> {
  registerSite(app)
  registerApiDocs(app)

  app.notFound((c) => c.json(errorBody(404, 'not_found', `no route ${c.req.method} ${excerpt(new URL(c.req.url).pathname)}`), 404))
  app.onError((error, c) => {
    // Logged for `wrangler tail`; the client gets no stack trace.
    console.error(error)
    return c.json(errorBody(500, 'internal_error', 'the search service failed to answer this request'), 500)
  })
  return app
}

/** Indexes with nothing left to warm ({@link SearchIndex.warm} resolved to 0). */
const warmed = new WeakSet<SearchIndex>()
/** Indexes with a warm-up step running. */
const warming = new WeakSet<SearchIndex>()

/**
 * Runs the next step of `index.warm()` after this request's answer, unless
 * one is running or nothing is left: as `waitUntil` work, so that the
 * runtime keeps the isolate for it and the answer does not wait. One step at
 * a time keeps each request's share small (the chunks, then one 2 MiB article
 * pack). A failed step is logged, and a later answer runs the next one (the
 * chunks are tried again; a pack that failed is not, see `ArticlePacks`).
 */
function warmInBackground(c: Context<AppEnv>, index: SearchIndex): void {
  if (warmed.has(index) || warming.has(index)) return
  warming.add(index)
  const step = index
    .warm()
    .then(
      (fetched) => {
        if (fetched === 0) warmed.add(index)
      },
      (error: unknown) => {
        console.warn(`warming the index failed; queries load what they need as they need it: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
    .finally(() => warming.delete(index))
  try {
    c.executionCtx.waitUntil(step)
  } catch {
    // No execution context (app.request() in tests): the promise runs on by itself.
  }
}

/** The slugs of the `topic` parameters, or the 400 body naming the first that is not a known topic. */
export function topicSlugs(index: SearchIndex, topics: readonly string[]): string[] | ErrorBody {
  const slugs: string[] = []
  for (const topic of topics) {
    const slug = resolveTopic(index, topic)
    if (slug === undefined) {
      return errorBody(400, 'invalid_parameter', `topic "${excerpt(topic)}" is not a known topic`, { parameter: 'topic', allowed: ALLOWED.topic })
    }
    slugs.push(slug)
  }
  return slugs
}

/** The CORS allow-list check: `*` allows any origin; otherwise the origin must be listed exactly. */
export function allowedOrigin(origin: string, allowed: string | undefined): string | null {
  const list = (allowed ?? '*').split(',').map((entry) => entry.trim()).filter(Boolean)
  if (list.includes('*')) return '*'
  return list.includes(origin) ? origin : null
}
