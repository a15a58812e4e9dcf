import { SELF, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import { allowedOrigin } from '../../src/app'
import { getJson } from './helpers'

describe('ETag and Cache-Control', () => {
  it('tags answers with the index version and answers 304 to If-None-Match', async () => {
    const health = await getJson('/health')
    const first = await getJson('/search?q=oil')
    expect(first.headers.get('etag')).toBe(`"${health.body.indexVersion}"`)
    expect(first.headers.get('cache-control')).toMatch(/s-maxage=\d+/)
    const again = await SELF.fetch('http://search.test/search?q=oil', { headers: { 'If-None-Match': first.headers.get('etag')! } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    const stale = await SELF.fetch('http://search.test/search?q=oil', { headers: { 'If-None-Match': '"0000000000000000"' } })
    expect(stale.status).toBe(200)
  })

  it('does not tag errors', async () => {
    const { headers } = await getJson('/search?limit=abc')
    expect(headers.get('etag')).toBeNull()
  })
})

describe('CORS', () => {
  it('allows any origin by default (wrangler.toml ALLOWED_ORIGINS = "*")', async () => {
    const { headers } = await getJson('/search?q=oil', { headers: { Origin: 'https://news.example' } })
    expect(headers.get('access-control-allow-origin')).toBe('*')
  })

  it('answers a preflight', async () => {
    const response = await SELF.fetch('http://search.test/search?q=oil', {
      method: 'OPTIONS',
      headers: { Origin: 'https://news.example', 'Access-Control-Request-Method': 'GET' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-methods')).toContain('GET')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('allows only listed origins when a list is configured', async () => {
    const listedEnv = { ...env, ALLOWED_ORIGINS: 'https://news.example, https://blog.example' }
    const listed = await app.fetch(new Request('http://search.test/topics', { headers: { Origin: 'https://blog.example' } }), listedEnv)
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://blog.example')
    const unlisted = await app.fetch(new Request('http://search.test/topics', { headers: { Origin: 'https://evil.example' } }), listedEnv)
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('matches origins exactly', () => {
    expect(allowedOrigin('https://news.example', 'https://news.example')).toBe('https://news.example')
    expect(allowedOrigin('https://news.example.evil', 'https://news.example')).toBeNull()
    expect(allowedOrigin('http://news.example', 'https://news.example')).toBeNull()
    expect(allowedOrigin('https://x.example', undefined)).toBe('*')
  })
})
