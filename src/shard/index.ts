/**
 * A shard Worker: the app of `src/app.ts` over one shard's artefacts
 * (`shard-<i>/`, written by `npm run build -- --shards k`), plus the two
 * internal routes the front Worker (`src/front`) calls through a service
 * binding (`src/shard/protocol.ts`, `docs/sharding.md`).
 *
 * Where the shard's index is:
 * - `INDEX_PREFIX` set (`"shard-2/"`): under that path of the static assets
 *   (the local setup: every shard Worker serves the whole `generated/assets/`);
 * - unset: at the root of the assets (a deployment with `shard-<i>/` as the
 *   assets directory).
 * The suggest lexicon (surface forms, for `didYouMean`) is read from the root
 * of the assets: it is global (one per corpus), not per shard.
 *
 * Internal routes are reachable only through service bindings when the shard
 * is deployed with `workers_dev = false` and no route (the generated configs,
 * `sharded/configs.ts`); with `SHARD_SECRET` set they also require the
 * {@link SECRET_HEADER}. They are not in the OpenAPI document.
 */
import embedded from 'embedded-index'
import type { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { createApp, topicSlugs, type Bindings } from '../app'
import { errorBody, excerpt, type ErrorBody } from '../http/errors'
import { SEARCH_PARAMS, validateQuery, type SearchParams } from '../params'
import { pageHits, planQuery, rank, snippetDemand, type SearchRequest } from '../search'
import { assetSource, loadSearchIndex, type ArtefactSource, type SearchIndex } from '../search-index'
import { withEmbedded } from '../search-index/embedded'
import { didYouMean } from '../suggest'
import { EMPTY_LEXICON, LEXICON_FILE, Lexicon, type LexiconData } from '../suggest/lexicon'
import { HITS_PATH, RANK_PATH, SECRET_HEADER, encodeKey, type HitsCall, type RankCall, type ShardHits, type ShardRanking } from './protocol'

export interface ShardBindings extends Bindings {
  /** Where this shard's artefacts are inside the assets, e.g. `shard-0/`; empty or unset: the root. */
  INDEX_PREFIX?: string
  /** When set, `/_shard/*` requests must carry it in {@link SECRET_HEADER}. */
  SHARD_SECRET?: string
}

/** `source` with every name under `prefix`. */
export function prefixedSource(source: ArtefactSource, prefix: string): ArtefactSource {
  return { json: (name) => source.json(prefix + name), bytes: (name) => source.bytes(prefix + name) }
}

// Only loaded values are kept between requests, never a load in flight (workerd
// cancels a request that awaits I/O another request started; see src/index.ts).
let loaded: SearchIndex | undefined
let lexicon: Lexicon | undefined

export async function shardIndex(env: ShardBindings): Promise<SearchIndex> {
  if (loaded) return loaded
  // The shard's own startup files, when the build could embed them (its config's embedded-index alias).
  const index = await loadSearchIndex(withEmbedded(embedded, prefixedSource(assetSource(env.ASSETS), env.INDEX_PREFIX ?? '')))
  const shard = /^shard-(\d+)\/$/.exec(env.INDEX_PREFIX ?? '')?.[1]
  if (shard !== undefined && index.manifest.index.shard?.index !== Number(shard)) {
    throw new Error(`the index this shard loaded is not shard ${shard}: its config's embedded-index alias must be shard-${shard}/embedded.js`)
  }
  loaded ??= index
  return loaded
}

/** The corpus-wide lexicon at the root of the assets; without it, corrections show stems. */
async function globalLexicon(env: ShardBindings, index: SearchIndex): Promise<Lexicon> {
  if (lexicon) return lexicon
  let read = EMPTY_LEXICON
  try {
    const candidate = new Lexicon(await assetSource(env.ASSETS).json<LexiconData>(LEXICON_FILE))
    if (candidate.count !== index.manifest.index.documentCount) throw new Error(`${LEXICON_FILE} covers ${candidate.count} articles, the corpus ${index.manifest.index.documentCount}`)
    read = candidate
  } catch (error) {
    console.warn(`didYouMean without surface forms: ${(error as Error).message}`)
  }
  lexicon ??= read
  return lexicon
}

/** The shard's index and the request, as the public `/search` would build it; or the 400 of an unknown topic. */
async function prepare(env: ShardBindings, params: SearchParams): Promise<{ index: SearchIndex; request: SearchRequest } | ErrorBody> {
  const index = await shardIndex(env)
  const slugs = topicSlugs(index, params.topic)
  if (!Array.isArray(slugs)) return slugs
  const { topic: _topic, ...rest } = params
  return { index, request: { ...rest, topics: slugs } }
}

/** Adds the internal routes to a shard's public app. */
export function addShardRoutes(app: Hono<{ Bindings: ShardBindings }>): void {
  // First, before validation: without the secret, the internal routes do not exist.
  const guard = createMiddleware<{ Bindings: ShardBindings }>(async (c, next) => {
    const secret = c.env.SHARD_SECRET
    if (secret && c.req.header(SECRET_HEADER) !== secret) return c.json(errorBody(404, 'not_found', `no route POST ${excerpt(c.req.path)}`), 404)
    await next()
  })

  app.post(RANK_PATH, guard, validateQuery(SEARCH_PARAMS), async (c) => {
    const prepared = await prepare(c.env, c.req.valid('query'))
    if ('error' in prepared) return c.json(prepared, 400)
    const { index, request } = prepared
    const { mode } = await c.req.json<RankCall>()
    const ranking = await rank(index, request, mode)
    const base = index.engine.docBase
    const answer: ShardRanking = {
      total: ranking.total,
      relaxed: ranking.relaxed,
      notices: ranking.notices,
      facets: ranking.facets,
      matched: ranking.matched,
      ranked: ranking.ranked.map((hit) => [base + hit.n, hit.score, encodeKey(hit.key), snippetDemand(index, hit.n)]),
    }
    return c.json(answer)
  })

  app.post(HITS_PATH, guard, validateQuery(SEARCH_PARAMS), async (c) => {
    const prepared = await prepare(c.env, c.req.valid('query'))
    if ('error' in prepared) return c.json(prepared, 400)
    const { index, request } = prepared
    const call = await c.req.json<HitsCall>()
    const { plan } = planQuery(index, request.q)
    const active = plan.terms.length === 0 ? null : call.mode === 'or' ? { ...plan, and: false } : plan
    if (active) await index.engine.load(active)
    const base = index.engine.docBase
    const answer: ShardHits = { hits: await pageHits(index, request, active, call.hits.map(([n, score]) => ({ n: n - base, score })), call.scanChars) }
    if (call.didYouMean) {
      const suggestion = didYouMean(index, request.q, await globalLexicon(c.env, index), call.didYouMean)
      if (suggestion !== undefined) answer.didYouMean = suggestion
    }
    return c.json(answer)
  })
}

const app = createApp(shardIndex)
addShardRoutes(app as unknown as Hono<{ Bindings: ShardBindings }>)
export default app
