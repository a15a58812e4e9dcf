import { describe, expect, it } from 'vitest'
import { SEARCH_RESPONSE } from '../../src/api-schema'
import { getJson, getPages } from './helpers'

/**
 * sort, from, to and recency over the bundled data, inside workerd. Article
 * dates without a zone are UTC (the index reads them so).
 */

async function search(query: string): Promise<any> {
  const { status, body } = await getPages(`/search?${query}`)
  expect(status, `${query} ${JSON.stringify(body)}`).toBe(200)
  SEARCH_RESPONSE.parse(body)
  return body
}

/** ms since 1970 of an article date (no zone: UTC). */
function ms(date: string): number {
  return Date.parse(/T/.test(date) && !/(Z|[+-]\d\d:\d\d)$/.test(date) ? `${date}Z` : date)
}

const DAY = 86_400_000

describe('sort=date', () => {
  it('orders the same matches newest first', async () => {
    const byDate = await search('q=oil&sort=date&limit=100')
    const byScore = await search('q=oil&limit=100')
    expect(byDate.total).toBe(byScore.total)
    const dates = byDate.hits.map((hit: any) => ms(hit.date))
    for (let i = 1; i < dates.length; i++) expect(dates[i]).toBeLessThanOrEqual(dates[i - 1])
    expect(byDate.hits.map((hit: any) => hit.id)).not.toEqual(byScore.hits.map((hit: any) => hit.id))
    const deep = await search('q=oil&sort=date&limit=1&offset=1000')
    expect(ms(deep.hits[0].date)).toBeLessThanOrEqual(dates.at(-1))
  })

  it('sort=relevance is the default', async () => {
    expect((await search('q=oil&sort=relevance')).hits).toEqual((await search('q=oil')).hits)
  })
})

describe('from and to', () => {
  it('keeps only articles dated within the range, inclusive of whole days', async () => {
    const all = await search('q=oil')
    const april = await search('q=oil&from=1987-04-01&to=1987-04-30&limit=100')
    expect(april.total).toBeGreaterThan(50)
    expect(april.total).toBeLessThan(all.total)
    for (const hit of april.hits) expect(hit.date >= '1987-04-01' && hit.date < '1987-05-01', hit.date).toBe(true)
    // Sorted by date, the whole range is visible at both ends.
    const newest = await search('q=oil&from=1987-04-01&to=1987-04-30&sort=date&limit=1')
    const oldest = await search(`q=oil&from=1987-04-01&to=1987-04-30&sort=date&limit=1&offset=${april.total - 1}`)
    expect(newest.hits[0].date.slice(0, 10) <= '1987-04-30').toBe(true)
    expect(oldest.hits[0].date.slice(0, 10) >= '1987-04-01').toBe(true)
    // Facets count within the range.
    const crude = april.facets.topics.find((facet: any) => facet.slug === 'crude')
    expect(crude.count).toBe((await search('q=oil&from=1987-04-01&to=1987-04-30&topic=crude')).total)
  })

  it('a date alone includes its whole day; a time is an exact bound', async () => {
    // 11723 "OIL PRICES SAID NOW BASED ON FUTURES PRICE" is dated 1987-03-31T17:21:31.870.
    const day = await search('q=title:"oil prices"&from=1987-03-31&to=1987-03-31')
    expect(day.hits.map((hit: any) => hit.id)).toContain('11723')
    for (const hit of day.hits) expect(hit.date.slice(0, 10)).toBe('1987-03-31')
    const morning = await search('q=title:"oil prices"&from=1987-03-31&to=1987-03-31T12:00')
    expect(morning.hits.map((hit: any) => hit.id)).not.toContain('11723')
    const zoned = await search('q=title:"oil prices"&from=1987-03-31T19:21:31.870%2B02:00&to=1987-03-31T17:21:31.870Z')
    expect(zoned.hits.map((hit: any) => hit.id)).toEqual(['11723'])
  })

  it('filters the browse mode too (empty q)', async () => {
    const body = await search('from=1987-10-20&to=1987-10-20&limit=100')
    expect(body.total).toBeGreaterThan(10)
    for (const hit of body.hits) expect(hit.date.slice(0, 10)).toBe('1987-10-20')
    expect(body.facets.topics.reduce((sum: number, facet: any) => sum + facet.count, 0)).toBeGreaterThan(0)
  })

  it.each([
    ['from=1987-02-30', 'from'],
    ['from=yesterday', 'from'],
    ['to=1987-13-01', 'to'],
    ['to=1987-04-01T25:00', 'to'],
    ['from=1987-04-02&to=1987-04-01', 'from'],
    ['from=1987-04-01&from=1987-04-02', 'from'],
    ['sort=newest', 'sort'],
    ['recency=0', 'recency'],
    ['recency=-5', 'recency'],
    ['recency=abc', 'recency'],
    ['recency=1e3', 'recency'],
    ['recency=36501', 'recency'],
  ])('%s → 400 naming %s', async (query, parameter) => {
    const { status, body } = await getJson(`/search?q=oil&${query}`)
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'invalid_parameter', parameter })
  })
})

describe('recency', () => {
  it('moves newer articles up, by score × 2^(−age/half-life), age from the newest article of the index', async () => {
    const plain = await search('q="crude oil"&limit=100')
    const recent = await search('q="crude oil"&recency=30&limit=100')
    expect(recent.total).toBe(plain.total)
    const mean = (hits: any[]) => hits.slice(0, 10).reduce((sum, hit) => sum + ms(hit.date), 0) / 10
    expect(mean(recent.hits)).toBeGreaterThan(mean(plain.hits) + 30 * DAY)
    // The formula, on two hits: the newest article of the index is the first of the browse order.
    const newest = ms((await search('limit=1')).hits[0].date)
    const plainScore = new Map<string, number>()
    for (let offset = 0; offset < plain.total; offset += 100) {
      for (const hit of (await search(`q="crude oil"&limit=100&offset=${offset}`)).hits) plainScore.set(hit.id, hit.score)
    }
    for (const hit of [recent.hits[0], recent.hits[7]]) {
      const age = (newest - ms(hit.date)) / DAY
      const expected = plainScore.get(hit.id)! * 2 ** (-age / 30)
      expect(Math.abs(hit.score - expected) / expected).toBeLessThan(1e-9)
    }
    // Ranked by the factored score.
    for (let i = 1; i < recent.hits.length; i++) expect(recent.hits[i].score).toBeLessThanOrEqual(recent.hits[i - 1].score)
  })

  it('a long half-life changes little, a short one orders nearly by date', async () => {
    const plain = await search('q=coffee&limit=10')
    const slow = await search('q=coffee&recency=36500&limit=10')
    expect(slow.hits[0].id).toBe(plain.hits[0].id)
    const kept = slow.hits.filter((hit: any) => plain.hits.some((other: any) => other.id === hit.id))
    expect(kept.length).toBeGreaterThanOrEqual(8)
    const fast = await search('q=coffee&recency=0.5&limit=10')
    const byDate = await search('q=coffee&sort=date&limit=10')
    // Half a day: a day older weighs a quarter, so the top hit is from the newest match's last day.
    expect(ms(byDate.hits[0].date) - ms(fast.hits[0].date)).toBeLessThan(DAY)
    expect(ms(fast.hits[0].date)).toBeGreaterThan(ms(plain.hits[0].date))
  })
})
