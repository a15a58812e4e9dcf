import { describe, expect, it } from 'vitest'
import { SEED_ID, getJson } from './helpers'

describe('GET /topics', () => {
  it('lists every topic with its count, most frequent first', async () => {
    const { status, body } = await getJson('/topics')
    expect(status).toBe(200)
    expect(body.topics[0]).toEqual({ topic: 'earn', slug: 'earn', count: expect.any(Number) })
    expect(body.topics.find((topic: any) => topic.slug === 'crude')).toBeDefined()
    const counts = body.topics.map((topic: any) => topic.count)
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a))
  })

  it('agrees with the topic-filtered search totals', async () => {
    const { body } = await getJson('/topics')
    const cocoa = body.topics.find((topic: any) => topic.slug === 'cocoa')
    const search = await getJson('/search?topic=cocoa')
    expect(search.body.total).toBe(cocoa.count)
  })
})

describe('GET /articles/:id', () => {
  it('returns the seed article with its six related links', async () => {
    const { status, body } = await getJson(`/articles/${SEED_ID}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ id: SEED_ID, title: 'Putin Meets Syria on Defense Industry', date: '2025-12-24', source: 'Clash Report' })
    expect(body.body).not.toContain('Related News')
    expect(body.related).toHaveLength(6)
    expect(body.related[0]).toEqual({ title: 'Ukraine Considers Referendum and Election Together', topic: 'Ukraine - Russia War', date: '2025-12-24' })
  })

  it('answers 404 JSON for an unknown id, including prototype keys', async () => {
    for (const id of ['no-such-article', '__proto__', 'constructor']) {
      const { status, body } = await getJson(`/articles/${id}`)
      expect(status).toBe(404)
      expect(body.error).toMatchObject({ status: 404, code: 'not_found' })
    }
  })
})

describe('GET /health', () => {
  it('gives status, index version, article count and build time', async () => {
    const { status, headers, body } = await getJson('/health')
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'ok', formatVersion: 4 })
    expect(body.indexVersion).toMatch(/^[0-9a-f]{16}$/)
    expect(body.articleCount).toBeGreaterThan(20_000)
    expect(new Date(body.builtAt).toISOString()).toBe(body.builtAt)
    expect(headers.get('cache-control')).toBe('no-store')
  })
})

describe('unknown routes', () => {
  it('answer 404 JSON, not HTML', async () => {
    const { status, headers, body } = await getJson('/no/such/route')
    expect(status).toBe(404)
    expect(headers.get('content-type')).toMatch(/application\/json/)
    expect(body.error.code).toBe('not_found')
  })
})
