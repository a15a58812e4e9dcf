/**
 * `GET /articles/:id/related` inside workerd, over the bundled index.
 */
import { env as testEnv } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Bindings } from '../../src/app'
import { ERROR_RESPONSE, HIT } from '../../src/api-schema'
import { assetSource, loadSearchIndex, type SearchIndex } from '../../src/search-index'
import { distinctiveTerms, RELATED_TERMS } from '../../src/related'
import { SEED_ID, getJson } from './helpers'
import { seededRandom } from '../../bench/lib/prng'

const env = testEnv as unknown as Bindings

const RELATED_RESPONSE = z.strictObject({ id: z.string(), hits: z.array(HIT), terms: z.array(z.string().min(1)) })

async function relatedOf(id: string, query = ''): Promise<z.infer<typeof RELATED_RESPONSE>> {
  const { status, body } = await getJson(`/articles/${encodeURIComponent(id)}/related${query}`)
  expect(status).toBe(200)
  return RELATED_RESPONSE.parse(body)
}

let index: SearchIndex
beforeAll(async () => {
  index = await loadSearchIndex(assetSource(env.ASSETS))
})

describe('GET /articles/:id/related', () => {
  it('finds articles about the same thing, with the /search hit shape', async () => {
    // "OIL PRICES SAID NOW BASED ON FUTURES PRICE" (crude).
    const body = await relatedOf('11723')
    expect(body.id).toBe('11723')
    expect(body.hits).toHaveLength(5)
    expect(body.terms.length).toBeGreaterThan(5)
    expect(body.terms.length).toBeLessThanOrEqual(RELATED_TERMS)
    expect(body.terms).toContain('futures')
    expect(body.terms).toContain('petroleum')
    for (const hit of body.hits) expect(hit.id).not.toBe('11723')
    expect(body.hits.filter((hit) => hit.topics.includes('crude')).length).toBeGreaterThanOrEqual(3)
    const scores = body.hits.map((hit) => hit.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(body.hits.some((hit) => hit.snippet.includes('<mark>'))).toBe(true)
  })

  it('shows the distinctive terms in surface form, not as stems', async () => {
    const body = await relatedOf('11723')
    expect(body.terms).toContain('prices')
    expect(body.terms).not.toContain('price')
  })

  it('works for an article without topics (the seed article)', async () => {
    const body = await relatedOf(SEED_ID, '?limit=3')
    expect(body.hits).toHaveLength(3)
    expect(body.terms.slice(0, 3)).toEqual(expect.arrayContaining(['syria']))
    expect(body.hits[0]!.title.toUpperCase()).toContain('SYRIA')
  })

  it('excludes the article itself and articles with the same title and body', async () => {
    // Find a pair of Reuters articles with identical title and body under different ids, if any survived the build's merge.
    const body = await relatedOf('20005', '?limit=20')
    const [source] = await index.articles([index.numberOf('20005')!])
    const key = (a: { title: string; body: string }) => `${a.title}\u0000${a.body}`.replace(/\s+/g, ' ').trim().toLowerCase()
    const hits = await index.articles(body.hits.map((hit) => index.numberOf(hit.id)!))
    for (const hit of hits) {
      expect(hit.id).not.toBe('20005')
      expect(key(hit)).not.toBe(key(source!))
    }
  })

  it('related hits share a topic far more often than chance', async () => {
    // 40 articles with topics, fixed seed; top 5 related each.
    const random = seededRandom(11)
    const { topicStart, topicIds, count } = index.engine.docs
    const topicsOf = (n: number) => new Set(Array.from(topicIds.subarray(topicStart[n]!, topicStart[n + 1]!)))
    const articleCount = new Map<number, number>()
    for (let n = 0; n < count; n++) for (const t of topicsOf(n)) articleCount.set(t, (articleCount.get(t) ?? 0) + 1)
    let shared = 0
    let hits = 0
    let chance = 0
    let sampled = 0
    while (sampled < 40) {
      const n = Math.floor(random() * count)
      const mine = topicsOf(n)
      if (mine.size === 0) continue
      sampled++
      // Chance that a random other article shares a topic: at least the best single topic's share.
      chance += Math.max(...[...mine].map((t) => (articleCount.get(t)! - 1) / (count - 1)))
      const body = await relatedOf(index.ids.at(n)!)
      for (const hit of body.hits) {
        hits++
        if (topicsOf(index.numberOf(hit.id)!).size > 0 && [...topicsOf(index.numberOf(hit.id)!)].some((t) => mine.has(t))) shared++
      }
    }
    const rate = shared / hits
    const baseline = chance / sampled
    // Record the figures in the test output for docs/suggest-related.md.
    console.log(`related: ${shared}/${hits} hits share a topic (${(rate * 100).toFixed(1)}%); chance ≥ ${(baseline * 100).toFixed(1)}%`)
    expect(rate).toBeGreaterThan(0.6)
    expect(rate).toBeGreaterThan(2 * baseline)
  })

  it('the distinctive terms are the article\'s rare words, not its boilerplate', () => {
    const terms = distinctiveTerms(index.engine, {
      title: 'COCOA BUFFER STOCK RULES AGREED',
      body: 'The International Cocoa Organization council said it agreed buffer stock rules. It said the rules would take effect. Reuter',
    }).map(({ term }) => term)
    expect(terms.slice(0, 3)).toEqual(expect.arrayContaining(['cocoa', 'buffer']))
    expect(terms).not.toContain('reuter')
    expect(terms).not.toContain('said')
    expect(terms.indexOf('cocoa')).toBeLessThan(terms.indexOf('take'))
  })

  it('an article whose words are all unknown relates to nothing, without failing', () => {
    expect(distinctiveTerms(index.engine, { title: 'zzqx qqzx', body: '12345 67890' })).toEqual([])
  })

  it('answers 404 JSON for an unknown id, including prototype keys', async () => {
    for (const id of ['no-such-article', '__proto__', 'constructor', 'toString']) {
      const { status, body } = await getJson(`/articles/${id}/related`)
      expect(status).toBe(404)
      expect(ERROR_RESPONSE.parse(body).error).toMatchObject({ status: 404, code: 'not_found' })
    }
  })

  it('validates limit, and refuses other parameters', async () => {
    for (const [query, parameter] of [
      ['?limit=0', 'limit'],
      ['?limit=21', 'limit'],
      ['?limit=x', 'limit'],
      ['?limit=1&limit=2', 'limit'],
      ['?q=oil', 'q'],
    ] as const) {
      const { status, body } = await getJson(`/articles/11723/related${query}`)
      expect(status).toBe(400)
      expect(ERROR_RESPONSE.parse(body).error).toMatchObject({ code: 'invalid_parameter', parameter })
    }
    expect((await getJson('/articles/11723/related?limit=99')).body.error.allowed).toBe('an integer from 1 to 20')
    expect((await relatedOf('11723', '?limit=20')).hits).toHaveLength(20)
    expect((await relatedOf('11723', '?limit=1')).hits).toHaveLength(1)
  })

  it('carries the index version as ETag', async () => {
    const { headers } = await getJson('/articles/11723/related')
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{16}"$/)
  })
})
