/**
 * The front Worker of the sharded setup: the public API over K shard Workers
 * (`src/shard`), reached through service bindings `SHARD_0` … `SHARD_{K-1}`
 * (K is the number of consecutive bindings present). See `docs/sharding.md`.
 *
 * | route | how |
 * |---|---|
 * | `GET /search` | validated here with the public schema; then rank on every shard (AND; again with OR when no shard matched), merge (`./merge`), and read the page's hits from the shards that hold them |
 * | `GET /topics` | shard 0 (topic counts are global in every shard's manifest) |
 * | `GET /articles/:id` | every shard; the one that holds the id answers |
 * | `GET /health` | every shard: `ok` when all are, article counts summed |
 * | `GET /suggest`, `GET /articles/:id/related` | 501: they need corpus-wide postings, not merged yet |
 * | `GET /`, `/widget.js`, `/site.css`, `/openapi.json`, `/docs` | as the single Worker |
 *
 * Answers of `/search` equal the single index's for the same request (same
 * hits in the same order, total, facets, relaxed, notices, didYouMean); the
 * test is `tests/e2e/sharded.test.ts`.
 */
import { createMiddleware } from 'hono/factory'
import { baseApp, finishApp, type CommonBindings } from '../app'
import { errorBody } from '../http/errors'
import { NO_PARAMS, SEARCH_PARAMS, validateQuery } from '../params'
import type { Hit, SearchResponse } from '../search'
import { HITS_PATH, RANK_PATH, SECRET_HEADER, type HitsCall, type RankCall, type ShardHits, type ShardMode, type ShardRanking } from '../shard/protocol'
import { mergeFacets, mergePage, needsRelaxing, type Candidate } from './merge'
import { scanBudgets } from '../snippet/budget'

export interface FrontBindings extends CommonBindings {
  /** Sent to the shards in the secret header when set (the shards' `SHARD_SECRET`). */
  SHARD_SECRET?: string
  /** `SHARD_0` … `SHARD_{K-1}`: service bindings to the shard Workers. */
  [binding: `SHARD_${number}`]: Fetcher | undefined
}

type FrontEnv = { Bindings: FrontBindings; Variables: { shards: Fetcher[] } }

/** The shard bindings, `SHARD_0` upwards until one is missing. */
export function shardsOf(env: FrontBindings): Fetcher[] {
  const shards: Fetcher[] = []
  for (let i = 0; env[`SHARD_${i}`]; i++) shards.push(env[`SHARD_${i}`]!)
  return shards
}

/** A shard answered neither 200 nor 400: the client gets a 503 (the single Worker's answer when its index cannot load). */
class ShardError extends Error {}

/** A mutable copy of a shard's response (the front's middleware sets headers on it). */
function relay(response: Response): Response {
  return new Response(response.body, response)
}

export function createFrontApp() {
  const app = baseApp<FrontEnv>()
  const withShards = createMiddleware<FrontEnv>(async (c, next) => {
    const shards = shardsOf(c.env)
    if (shards.length === 0) return c.json(errorBody(503, 'index_unavailable', 'no shard is bound (SHARD_0 …)'), 503)
    c.set('shards', shards)
    await next()
  })

  app.get('/search', withShards, validateQuery(SEARCH_PARAMS), async (c) => {
    const shards = c.get('shards')
    const { q, limit, offset } = c.req.valid('query')
    const search = new URL(c.req.url).search
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (c.env.SHARD_SECRET) headers[SECRET_HEADER] = c.env.SHARD_SECRET
    /** POSTs `body` with the client's query string to a shard; a 400 is returned as is (every shard would give the same). */
    const call = async <T>(shard: Fetcher, path: string, body: RankCall | HitsCall): Promise<T | Response> => {
      const response = await shard.fetch(`https://shard.invalid${path}${search}`, { method: 'POST', headers, body: JSON.stringify(body) })
      if (response.status === 400) return relay(response)
      if (!response.ok) throw new ShardError(`shard answered ${response.status} to ${path}: ${(await response.text()).slice(0, 200)}`)
      return response.json<T>()
    }
    const rankAll = async (mode: ShardMode) => {
      const answers = await Promise.all(shards.map((shard) => call<ShardRanking>(shard, RANK_PATH, { mode })))
      return answers.find((answer): answer is Response => answer instanceof Response) ?? (answers as ShardRanking[])
    }

    let mode: ShardMode = 'and'
    let rankings = await rankAll(mode)
    if (rankings instanceof Response) return rankings
    if (needsRelaxing(rankings)) {
      mode = 'or'
      rankings = await rankAll(mode)
      if (rankings instanceof Response) return rankings
    }
    const total = rankings.reduce((sum, ranking) => sum + ranking.total, 0)
    const relaxed = rankings[0]!.relaxed
    const page = mergePage(rankings, offset, limit)
    const wantCorrection = q.trim() !== '' && total === 0 ? { total, relaxed } : undefined

    // The page's hits, from the shards that hold them (and a correction from shard 0 when nothing was found),
    // each with its share of the page's snippet scan budget, shared as the single index shares it.
    const budgets = scanBudgets(page.map((candidate) => candidate.demand))
    const scanChars = new Map(page.map((hit, i) => [hit.n, budgets[i]!] as const))
    const byShard = new Map<number, Candidate[]>()
    for (const hit of page) byShard.set(hit.shard, [...(byShard.get(hit.shard) ?? []), hit])
    if (wantCorrection && !byShard.has(0)) byShard.set(0, [])
    const fetched = await Promise.all(
      [...byShard].map(async ([shard, hits]) => {
        const body: HitsCall = { mode, hits: hits.map((hit) => [hit.n, hit.score]), scanChars: hits.map((hit) => scanChars.get(hit.n)!) }
        if (wantCorrection && shard === 0) body.didYouMean = wantCorrection
        return [shard, await call<ShardHits>(shards[shard]!, HITS_PATH, body)] as const
      }),
    )
    const hitOf = new Map<number, Hit>()
    let didYouMean: string | undefined
    for (const [shard, answer] of fetched) {
      if (answer instanceof Response) return answer
      byShard.get(shard)!.forEach((candidate, i) => hitOf.set(candidate.n, answer.hits[i]!))
      didYouMean ??= answer.didYouMean
    }
    const answer: SearchResponse = {
      query: q,
      total,
      limit,
      offset,
      relaxed,
      notices: rankings[0]!.notices,
      hits: page.map((candidate) => hitOf.get(candidate.n)!),
      facets: { topics: mergeFacets(rankings.map((ranking) => ranking.facets)) },
    }
    return c.json(didYouMean === undefined ? answer : { ...answer, didYouMean })
  })

  // Topic counts are global: every shard's manifest carries the whole corpus's.
  app.get('/topics', withShards, validateQuery(NO_PARAMS), async (c) => relay(await c.get('shards')[0]!.fetch(c.req.raw)))

  app.get('/articles/:id', withShards, validateQuery(NO_PARAMS), async (c) => {
    const answers = await Promise.all(c.get('shards').map((shard) => shard.fetch(c.req.raw.clone())))
    const found = answers.find((answer) => answer.status !== 404) ?? answers[0]!
    await Promise.all(answers.filter((answer) => answer !== found).map((answer) => answer.body?.cancel()))
    return relay(found)
  })

  app.get('/health', withShards, validateQuery(NO_PARAMS), async (c) => {
    const answers = await Promise.all(c.get('shards').map(async (shard) => (await shard.fetch(c.req.raw.clone())).json<Record<string, unknown>>()))
    const ok = answers.every((answer) => answer.status === 'ok')
    c.header('Cache-Control', 'no-store')
    return c.json(
      {
        status: ok ? 'ok' : 'degraded',
        shards: answers.length,
        indexVersions: answers.map((answer) => answer.indexVersion),
        formatVersion: answers[0]!.formatVersion,
        articleCount: answers.reduce((sum, answer) => sum + Number(answer.articleCount ?? 0), 0),
        builtAt: answers[0]!.builtAt,
      },
      ok ? 200 : 503,
    )
  })

  for (const path of ['/suggest', '/articles/:id/related']) {
    app.get(path, (c) => c.json(errorBody(501, 'not_implemented', `${path} is not available on the sharded setup yet (docs/sharding.md)`), 501))
  }

  finishApp(app)
  app.onError((error, c) => {
    console.error(error)
    if (error instanceof ShardError) return c.json(errorBody(503, 'index_unavailable', 'a shard of the search index did not answer; try again shortly'), 503)
    return c.json(errorBody(500, 'internal_error', 'the search service failed to answer this request'), 500)
  })
  return app
}

export default createFrontApp()
