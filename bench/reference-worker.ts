/**
 * The reference for the benchmark: a bare Worker (no Hono) that answers
 * `/search` with MiniSearch over a MiniSearch JSON index, with the project's
 * own MiniSearch options, field boosts, prefix rule and typo rule, the same
 * AND→OR relaxation, topic filter (any of the topics) and facet counting.
 * Of the query language it knows `-word` (MiniSearch's AND_NOT) and
 * `sort=date`; a `"phrase"` is run as its words, since MiniSearch has no
 * positions (so the reference does less work than the product there).
 * It serves static assets written by bench/run.ts:
 * - `minisearch.json` — `JSON.stringify(miniSearch)`, document ids are positions in
 * - `articles.json` — `{ articles: [{ id, title, summary, date, topics }] }`
 *
 * It is not the product. It exists so every benchmark run has a MiniSearch
 * figure, measured on the same machine at the same time, to divide by.
 */
import MiniSearch, { type AsPlainObject } from 'minisearch'
import { FIELD_BOOSTS, MINISEARCH_OPTIONS } from '../src/index-format'
import { matchPrefix, typoDistance } from '../src/search'

interface RefArticle {
  id: string
  title: string
  summary?: string
  date?: string | null
  topics: string[]
}
interface Env {
  ASSETS: Fetcher
}
interface Loaded {
  miniSearch: MiniSearch
  articles: RefArticle[]
}

let loading: Promise<Loaded> | undefined

async function load(env: Env): Promise<Loaded> {
  const [index, store] = await Promise.all([
    env.ASSETS.fetch('https://assets.invalid/minisearch.json').then((r) => r.json<AsPlainObject>()),
    env.ASSETS.fetch('https://assets.invalid/articles.json').then((r) => r.json<{ articles: RefArticle[] }>()),
  ])
  return { miniSearch: MiniSearch.loadJS(index, MINISEARCH_OPTIONS as any), articles: store.articles }
}

function search(loaded: Loaded, query: string, topics: string[], limit: number, offset: number, sort: string) {
  let matches: { n: number; score: number }[]
  let relaxed = false
  const words = query.replaceAll('"', ' ').split(/\s+/).filter(Boolean)
  const excluded = words.filter((w) => w.startsWith('-') && w.length > 1).map((w) => w.slice(1))
  const q = words.filter((w) => !w.startsWith('-')).join(' ')
  const terms = MINISEARCH_OPTIONS.tokenize!(q, '').flatMap((token) => MINISEARCH_OPTIONS.processTerm!(token, '') || [])
  if (terms.length === 0) {
    // no terms: every article, in stored order (newest first), as the product does
    matches = loaded.articles.map((_, n) => ({ n, score: 0 }))
  } else {
    const options = { boost: FIELD_BOOSTS, prefix: matchPrefix, fuzzy: typoDistance }
    const run = (combineWith: 'AND' | 'OR') =>
      excluded.length === 0
        ? loaded.miniSearch.search(q, { ...options, combineWith })
        : loaded.miniSearch.search({ combineWith: 'AND_NOT', queries: [{ queries: [q], combineWith }, excluded.join(' ')] } as any, options)
    let results = run('AND')
    if (results.length === 0) {
      relaxed = true
      results = run('OR')
    }
    matches = results.map((r) => ({ n: r.id as number, score: r.score }))
    // stored order is newest first, so date order is document-number order
    if (sort === 'date') matches.sort((a, b) => a.n - b.n)
  }
  const filter = topics.length > 0 ? new Set(topics) : null
  const filtered = filter ? matches.filter((m) => loaded.articles[m.n]!.topics.some((t) => filter.has(t))) : matches
  const facets = new Map<string, number>()
  for (const m of matches) for (const t of loaded.articles[m.n]!.topics) facets.set(t, (facets.get(t) ?? 0) + 1)
  return {
    query: q,
    total: filtered.length,
    relaxed,
    hits: filtered.slice(offset, offset + limit).map((m) => {
      const a = loaded.articles[m.n]!
      return { id: a.id, title: a.title, summary: a.summary ?? '', date: a.date ?? null, topics: a.topics, score: m.score }
    }),
    facets: [...facets].sort((a, b) => b[1] - a[1]).map(([slug, count]) => ({ slug, count })),
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname !== '/search' && url.pathname !== '/health') return new Response('not found', { status: 404 })
    try {
      loading ??= load(env)
      const loaded = await loading
      if (url.pathname === '/health') return Response.json({ status: 'ok', articleCount: loaded.articles.length })
      const topics = url.searchParams.getAll('topic').map((t) => t.trim().toLowerCase())
      const limit = Number(url.searchParams.get('limit') ?? 10)
      const offset = Number(url.searchParams.get('offset') ?? 0)
      return Response.json(search(loaded, url.searchParams.get('q') ?? '', topics, limit, offset, url.searchParams.get('sort') ?? 'relevance'))
    } catch (error) {
      loading = undefined
      return Response.json({ error: String(error) }, { status: 503 })
    }
  },
}
