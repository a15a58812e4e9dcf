/**
 * The sharded setup for real: the front Worker and 4 shard Workers in one
 * `wrangler dev` session (service bindings between them, `sharded/configs.ts`),
 * against the single Worker in another, both over the `generated/assets/` that
 * `npm test` builds with `--shards 4`. The front's answers must equal the
 * single Worker's, whole: hits (ids, order, scores, snippets), total, facets,
 * relaxed, notices, didYouMean; and its 400s must be the same bodies.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shardCount, shardedConfigs } from '../../sharded/configs'
import { startWranglerDev, type DevServer } from './wrangler-dev'

const ASSETS = 'generated/assets'
const DIR = `.tmp/sharded-e2e-${process.pid}`
let single: DevServer | undefined
let front: DevServer | undefined

beforeAll(async () => {
  expect(shardCount(ASSETS), 'npm test builds with --shards 4').toBe(4)
  // A name of its own, so that no other local dev session's Workers are bound.
  const { all } = shardedConfigs({ dir: DIR, assets: ASSETS, name: `e2e-${process.pid}` })
  ;[single, front] = await Promise.all([startWranglerDev({ timeoutMs: 180_000 }), startWranglerDev({ config: all, timeoutMs: 180_000 })])
}, 200_000)

afterAll(async () => {
  await Promise.all([single?.stop(), front?.stop()])
  rmSync(DIR, { recursive: true, force: true })
})

async function get(server: DevServer | undefined, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(server!.url + path)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Both answers, after checking they are equal. */
async function same(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const [expected, actual] = await Promise.all([get(single, path), get(front, path)])
  expect(actual, path).toEqual(expected)
  return expected
}

const search = (params: [string, string][]) => `/search?${new URLSearchParams(params)}`

/** Each query, and what the single Worker's answer must show for the comparison to mean something. */
const QUERIES: { name: string; params: [string, string][]; check: (body: Record<string, any>) => void }[] = [
  { name: 'one word', params: [['q', 'oil']], check: (b) => expect(b.total).toBeGreaterThan(1000) },
  { name: 'AND', params: [['q', 'oil prices'], ['limit', '20']], check: (b) => expect(b.relaxed).toBe(false) },
  { name: 'OR', params: [['q', 'opec OR saudi']], check: (b) => expect(b.total).toBeGreaterThan(500) },
  // One article has both words, in one shard: the other shards match nothing, and still the answer is not relaxed.
  { name: 'AND matched in one shard only', params: [['q', 'putin syria']], check: (b) => expect([b.total, b.relaxed]).toEqual([1, false]) },
  { name: 'relaxed to OR on the whole corpus', params: [['q', 'putin cocoa']], check: (b) => expect(b.relaxed).toBe(true) },
  { name: 'prefix', params: [['q', 'wheat expo']], check: (b) => expect(b.total).toBeGreaterThan(10) },
  { name: 'typo', params: [['q', 'argentnia']], check: (b) => expect(b.total).toBeGreaterThan(100) },
  { name: 'phrase', params: [['q', '"crude oil"']], check: (b) => expect(b.total).toBeGreaterThan(100) },
  { name: 'exclusion', params: [['q', 'oil -gasoline']], check: (b) => expect(b.total).toBeGreaterThan(100) },
  { name: 'field', params: [['q', 'title:opec']], check: (b) => expect(b.total).toBeGreaterThan(10) },
  { name: 'topic filter', params: [['q', 'oil prices'], ['topic', 'crude']], check: (b) => expect(b.facets.topics.length).toBeGreaterThan(5) },
  { name: 'two topics', params: [['q', 'prices'], ['topic', 'crude'], ['topic', 'Nat-Gas']], check: (b) => expect(b.total).toBeGreaterThan(100) },
  { name: 'empty query, topic, by date', params: [['topic', 'cocoa'], ['sort', 'date']], check: (b) => expect(b.total).toBeGreaterThan(50) },
  { name: 'browse everything', params: [['limit', '20']], check: (b) => expect(b.total).toBe(21336) },
  { name: 'offset paging', params: [['q', 'oil'], ['offset', '37'], ['limit', '19']], check: (b) => expect(b.hits).toHaveLength(19) },
  { name: 'deep page', params: [['q', 'bank'], ['offset', '990'], ['limit', '20']], check: (b) => expect(b.hits).toHaveLength(20) },
  { name: 'sort=date', params: [['q', 'coffee'], ['sort', 'date']], check: (b) => expect(b.total).toBeGreaterThan(100) },
  { name: 'date range', params: [['q', 'coffee'], ['from', '1987-06-01'], ['to', '1987-06-30']], check: (b) => expect(b.total).toBeGreaterThan(5) },
  { name: 'recency', params: [['q', 'coffee prices'], ['recency', '30'], ['limit', '20']], check: (b) => expect(b.total).toBeGreaterThan(50) },
  { name: 'equal scores (ties)', params: [['q', 'qtr'], ['offset', '40'], ['limit', '20']], check: (b) => expect(b.hits.some((hit: any, i: number) => i > 0 && hit.score === b.hits[i - 1].score)).toBe(true) },
  { name: 'did you mean', params: [['q', 'oyl']], check: (b) => expect(b.didYouMean).toBe('oil') },
  { name: 'nothing', params: [['q', 'qqqqzzzz']], check: (b) => expect(b.total).toBe(0) },
  { name: 'syntax notice', params: [['q', '"crude oil prices']], check: (b) => expect(b.notices.length).toBeGreaterThan(0) },
]

describe('the front over 4 shards answers /search as the single Worker', () => {
  for (const { name, params, check } of QUERIES) {
    it(name, async () => {
      const { status, body } = await same(search(params))
      expect(status).toBe(200)
      check(body)
    })
  }

  it('answers 400s with the same bodies', async () => {
    for (const path of ['/search?q=oil&limit=0', '/search?q=oil&topics=crude', '/search?topic=no-such-topic', '/search?q=oil&offset=1001', '/search?from=1987-07-01&to=1987-06-01']) {
      const { status } = await same(path)
      expect(status, path).toBe(400)
    }
  })

  it('serves /topics and /articles/:id as the single Worker', async () => {
    expect((await same('/topics')).status).toBe(200)
    expect((await same('/articles/11723')).status).toBe(200)
    expect((await same('/articles/putin-meets-syria-on-defense-industry')).status).toBe(200)
    expect((await same('/articles/no-such-article')).status).toBe(404)
  })

  it('sums /health over the shards and says what it does not serve', async () => {
    const health = await get(front, '/health')
    expect(health.status).toBe(200)
    expect(health.body).toMatchObject({ status: 'ok', shards: 4, articleCount: 21336 })
    expect((await get(front, '/suggest?q=oil')).status).toBe(501)
  })

  it('does not expose the internal routes on the public path', async () => {
    const response = await fetch(`${front!.url}/_shard/rank?q=oil`, { method: 'POST', body: '{"mode":"and"}' })
    expect(response.status).toBe(404)
  })
})
