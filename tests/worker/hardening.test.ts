import { SELF, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import { createApp } from '../../src/app'
import { Hono } from 'hono'
import { edgeCache } from '../../src/http/edge-cache'
import { bundledIndex } from '../../src/index'

describe('security headers', () => {
  it('are on API answers and pages, and let other sites embed the widget', async () => {
    for (const path of ['/search?q=oil', '/', '/widget.js', '/no/such/route']) {
      const response = await SELF.fetch(`http://search.test${path}`)
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(response.headers.get('strict-transport-security'), path).toMatch(/max-age=\d+/)
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN')
      expect(response.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin')
    }
  })

  it('keep the strict CSP of the demo and docs pages', async () => {
    for (const path of ['/', '/docs']) {
      const csp = (await SELF.fetch(`http://search.test${path}`)).headers.get('content-security-policy')
      expect(csp, path).toContain("default-src 'none'")
      expect(csp, path).not.toContain('unsafe-inline')
    }
  })

  it('never reflect the query into HTML', async () => {
    const marker = '<script>alert(1)</script>'
    for (const path of ['/', '/docs']) {
      const html = await (await SELF.fetch(`http://search.test${path}?q=${encodeURIComponent(marker)}`)).text()
      expect(html).not.toContain(marker)
    }
  })
})

describe('rate limiting (Workers Rate Limiting binding, in Miniflare)', () => {
  it('answers 429 with Retry-After past the limit, per client address', async () => {
    const limited = { ...env, RATE_LIMITER: env.TEST_RATE_LIMITER }
    const ask = async (ip: string) => {
      const ctx = createExecutionContext()
      const response = await app.fetch(new Request('http://search.test/topics', { headers: { 'CF-Connecting-IP': ip } }), limited, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await ask('203.0.113.7')).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const refused = await ask('203.0.113.7')
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(await refused.json()).toMatchObject({ error: { status: 429, code: 'rate_limited' } })
    expect((await ask('203.0.113.8')).status).toBe(200)
  })

  it('does not limit requests without a client address (service bindings, tests)', async () => {
    const limited = { ...env, RATE_LIMITER: env.TEST_RATE_LIMITER }
    for (let i = 0; i < 5; i++) expect((await app.fetch(new Request('http://search.test/health'), limited, createExecutionContext())).status).toBe(200)
  })
})

describe('the Cache API in front of /search', () => {
  it('serves the second identical request from the cache', async () => {
    const url = 'http://search.test/search?q=cocoa+exports&limit=3'
    const ctx = createExecutionContext()
    const first = await app.fetch(new Request(url), env, ctx)
    await waitOnExecutionContext(ctx)
    const second = await app.fetch(new Request(url), env, createExecutionContext())
    expect(first.headers.get('x-cache')).toBe('MISS')
    expect(second.headers.get('x-cache')).toBe('HIT')
    expect(await second.text()).toBe(await first.text())
  })

  it('misses after a new index version, so a rebuild never serves old answers', async () => {
    const url = 'http://search.test/search?q=coffee+quotas&limit=3'
    const current = await bundledIndex(env)
    const ctx = createExecutionContext()
    await app.fetch(new Request(url), env, ctx)
    await waitOnExecutionContext(ctx)
    expect((await app.fetch(new Request(url), env, createExecutionContext())).headers.get('x-cache')).toBe('HIT')
    const rebuilt = createApp(async () => ({ ...current, manifest: { ...current.manifest, indexVersion: 'ffffffffffffffff' } }))
    const afterRebuild = await rebuilt.fetch(new Request(url), env, createExecutionContext())
    expect(afterRebuild.headers.get('x-cache')).toBe('MISS')
    expect(afterRebuild.headers.get('etag')).toBe('"ffffffffffffffff"')
  })

  it('does not call the Cache API on *.workers.dev hosts, where Cloudflare ignores it', async () => {
    const calls: string[] = []
    const recording = {
      match: async (key: string) => (calls.push(`match ${key}`), caches.default.match(key)),
      put: async (key: string, response: Response) => (calls.push(`put ${key}`), caches.default.put(key, response)),
    } as unknown as Cache
    const server = new Hono().get('/x', edgeCache({ version: () => 'v1', cache: () => recording }), (c) => c.json({ ok: true }))
    for (const host of ['search.example.workers.dev', 'workers.dev']) {
      const ctx = createExecutionContext()
      const response = await server.fetch(new Request(`https://${host}/x?q=oil`), env, ctx)
      await waitOnExecutionContext(ctx)
      expect(response.headers.get('x-cache')).toBe('BYPASS')
      expect(await response.json()).toEqual({ ok: true })
    }
    expect(calls).toEqual([])
    // A custom domain (even one that merely contains "workers.dev") goes through it.
    const ctx = createExecutionContext()
    const custom = await server.fetch(new Request('https://workers.dev.news.example/x?q=oil'), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(custom.headers.get('x-cache')).toBe('MISS')
    expect(calls.map((call) => call.split(' ')[0])).toEqual(['match', 'put'])
  })

  it('answers as on a miss when the cache fails', async () => {
    const failing = {
      match: async () => Promise.reject(new Error('cache unavailable')),
      put: async () => Promise.reject(new Error('cache unavailable')),
    } as unknown as Cache
    const answered = new Hono().get('/x', edgeCache({ version: () => 'v1', cache: () => failing }), (c) => c.json({ ok: true }))
    const missing = new Hono().get('/x', edgeCache({ version: () => 'v1', cache: () => { throw new Error('No Cache was configured') } }), (c) => c.json({ ok: true }))
    for (const [server, ctx] of [[answered, createExecutionContext()], [answered, undefined], [missing, createExecutionContext()]] as const) {
      const response = await server.fetch(new Request('http://search.test/x'), env, ctx)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-cache')).toBe('MISS')
      expect(await response.json()).toEqual({ ok: true })
      if (ctx) await waitOnExecutionContext(ctx)
    }
  })

  it('never replays one origin\'s CORS allowance to another', async () => {
    const listed = { ...env, ALLOWED_ORIGINS: 'https://news.example' }
    const url = 'http://search.test/search?q=sugar+quotas&limit=2'
    const ctx = createExecutionContext()
    await app.fetch(new Request(url, { headers: { Origin: 'https://news.example' } }), listed, ctx)
    await waitOnExecutionContext(ctx)
    const other = await app.fetch(new Request(url, { headers: { Origin: 'https://evil.example' } }), listed, createExecutionContext())
    expect(other.headers.get('x-cache')).toBe('HIT')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})
