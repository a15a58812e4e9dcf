/**
 * The engine's part of a search, alone in a Worker, for `npm run bench:gc --
 * --rank-only`: it answers `/search` with {@link rank} (parse, plan, postings,
 * execute, filters, facets, top k) over the bundled index, and nothing else:
 * no Hono, no parameter validation, no Cache API, no article fragments, no
 * snippets. Its CPU per request, less its own 404 floor, is what a query costs
 * the engine inside workerd, the figure that the MiniSearch baseline
 * measured (MiniSearch's `search()` call). The product's figure is the whole
 * request (`src/index.ts`), measured by the same bench without the flag.
 *
 * It is not the product and is never deployed: it exists so that the
 * benchmark can split a request's CPU between the engine and the rest.
 *
 * @example
 * ```sh
 * npm run bench:gc -- --rank-only
 * ```
 */
import { bundledIndex } from '../src/index'
import { topicSlugs, type Bindings } from '../src/app'
import { rank } from '../src/search'

export default {
  async fetch(request: Request, env: Bindings): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname !== '/search' && url.pathname !== '/health') return new Response(null, { status: 404 })
    const index = await bundledIndex(env)
    if (url.pathname === '/health') return new Response('ok')
    const params = url.searchParams
    const sort = params.get('sort') === 'date' ? 'date' : 'relevance'
    const topics = topicSlugs(index, params.getAll('topic'))
    if (!Array.isArray(topics)) return Response.json(topics, { status: 400 })
    const ranking = await rank(index, { q: params.get('q') ?? '', topics, limit: Number(params.get('limit') ?? 10), offset: 0, sort })
    return Response.json({ total: ranking.total, ids: ranking.ranked.map((hit) => index.ids.at(hit.n)) })
  },
}
