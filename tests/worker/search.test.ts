import { describe, expect, it } from 'vitest'
import { SEED_ID, getJson, getPages } from './helpers'

describe('GET /search', () => {
  it('ranks the seed article first for "putin syria", with its date and source', async () => {
    const { status, body } = await getJson('/search?q=putin+syria')
    expect(status).toBe(200)
    expect(body.hits[0]).toMatchObject({
      id: SEED_ID,
      title: 'Putin Meets Syria on Defense Industry',
      date: '2025-12-24',
      source: 'Clash Report',
    })
    expect(body.hits[0].snippet).toMatch(/<mark>Putin<\/mark>/)
    expect(body).toMatchObject({ query: 'putin syria', limit: 10, offset: 0 })
  })

  it('answers the documented response shape', async () => {
    const { body } = await getJson('/search?q=oil')
    expect(Object.keys(body).sort()).toEqual(['facets', 'hits', 'limit', 'notices', 'offset', 'query', 'relaxed', 'total'])
    expect(Object.keys(body.hits[0]).sort()).toEqual(['date', 'id', 'score', 'snippet', 'source', 'summary', 'title', 'titleHighlights', 'titleHtml', 'topics', 'url'])
    expect(body.hits.map((hit: any) => hit.score)).toEqual([...body.hits.map((hit: any) => hit.score)].sort((a, b) => b - a))
  })

  it('filters by topic before paging: every hit is tagged crude and total counts all of them', async () => {
    const first = await getPages('/search?q=oil+prices&topic=crude&limit=100')
    expect(first.status).toBe(200)
    expect(first.body.total).toBeGreaterThan(100)
    const all: any[] = [...first.body.hits]
    for (let offset = 100; offset < first.body.total; offset += 100) {
      all.push(...(await getPages(`/search?q=oil+prices&topic=crude&limit=100&offset=${offset}`)).body.hits)
    }
    expect(all).toHaveLength(first.body.total)
    expect(new Set(all.map((hit) => hit.id)).size).toBe(first.body.total)
    for (const hit of all) expect(hit.topics).toContain('crude')
  })

  it('counts facets over every match, disjunctively: the selected topic count equals total', async () => {
    const unfiltered = await getJson('/search?q=oil+prices')
    const filtered = await getJson('/search?q=oil+prices&topic=crude')
    const crude = filtered.body.facets.topics.find((facet: any) => facet.slug === 'crude')
    expect(crude.count).toBe(filtered.body.total)
    expect(filtered.body.facets).toEqual(unfiltered.body.facets)
    expect(unfiltered.body.total).toBeGreaterThan(filtered.body.total)
    const counts = unfiltered.body.facets.topics.map((facet: any) => facet.count)
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a))
  })

  it('treats a repeated topic as any of them, by name or slug, in any case', async () => {
    const crude = await getJson('/search?q=prices&topic=crude')
    const gas = await getJson('/search?q=prices&topic=nat-gas')
    const both = await getJson('/search?q=prices&topic=CRUDE&topic=Nat-Gas')
    expect(both.status).toBe(200)
    expect(both.body.total).toBeGreaterThan(Math.max(crude.body.total, gas.body.total))
    expect(both.body.total).toBeLessThanOrEqual(crude.body.total + gas.body.total)
    for (const hit of both.body.hits) expect(hit.topics.some((topic: string) => topic === 'crude' || topic === 'nat-gas')).toBe(true)
  })

  it('pages consistently: offset/limit slice one ranked list', async () => {
    const whole = await getPages('/search?q=wheat+exports&limit=30')
    const second = await getJson('/search?q=wheat+exports&limit=10&offset=10')
    expect(second.body.hits.map((hit: any) => hit.id)).toEqual(whole.body.hits.slice(10, 20).map((hit: any) => hit.id))
    expect(second.body.total).toBe(whole.body.total)
  })

  it('lists a topic newest first when q is empty', async () => {
    const { status, body } = await getPages('/search?topic=cocoa&limit=100')
    expect(status).toBe(200)
    expect(body.total).toBe(body.facets.topics.find((facet: any) => facet.slug === 'cocoa').count)
    const dates = body.hits.map((hit: any) => hit.date)
    expect(dates).toEqual([...dates].sort().reverse())
    for (const hit of body.hits) expect(hit.topics).toContain('cocoa')
  })

  it('relaxes to any word when no article has every word, and says so', async () => {
    const { body } = await getJson('/search?q=putin+cocoa')
    expect(body.relaxed).toBe(true)
    expect(body.total).toBeGreaterThan(0)
    const strict = await getJson('/search?q=putin+syria')
    expect(strict.body.relaxed).toBe(false)
  })

  it('HTML-escapes snippets and marks only matches', async () => {
    const { body } = await getPages('/search?q=exxon&limit=50')
    const withEscapes = body.hits.find((hit: any) => hit.snippet.includes('&'))
    expect(withEscapes).toBeDefined()
    for (const hit of body.hits) {
      const withoutMarks = hit.snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')
      expect(withoutMarks).not.toMatch(/[<>]/)
      expect(hit.snippet.toLowerCase()).toContain('<mark>exxon</mark>')
    }
  })

  it('matches stems: "prices" finds "price" and highlights both forms', async () => {
    const { body } = await getPages('/search?q=price&topic=crude&limit=50')
    expect(body.hits.some((hit: any) => /<mark>prices<\/mark>/i.test(hit.snippet))).toBe(true)
  })
})
