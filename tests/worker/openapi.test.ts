import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import { OPERATIONS, openApiDocument } from '../../src/openapi'
import { SEARCH_PARAMS } from '../../src/params'
import { ERROR_RESPONSE } from '../../src/api-schema'
import { z } from 'zod'

/** Hono route paths (`/articles/:id`) in OpenAPI form (`/articles/{id}`). */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}')
}

describe('the OpenAPI document', () => {
  it('lists exactly the routes the app answers', () => {
    const routes = new Set(app.routes.filter((route) => route.method === 'GET').map((route) => openApiPath(route.path)))
    const documented = new Set(Object.keys(openApiDocument().paths))
    expect([...documented].sort()).toEqual([...routes].sort())
  })

  it('documents the same query parameters the validator accepts', () => {
    const parameters = openApiDocument().paths['/search'].get.parameters.map((p: any) => p.name)
    expect(parameters.sort()).toEqual(Object.keys(SEARCH_PARAMS.shape).sort())
  })

  it('is served at /openapi.json and rendered at /docs under a strict CSP', async () => {
    const json = await SELF.fetch('http://search.test/openapi.json')
    expect(json.status).toBe(200)
    expect(await json.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())))
    const docs = await SELF.fetch('http://search.test/docs')
    expect(docs.headers.get('content-type')).toMatch(/text\/html/)
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await docs.text()
    expect(html).not.toMatch(/<script/i)
    for (const operation of OPERATIONS) expect(html).toContain(`${operation.method.toUpperCase()} ${operation.path.replace(/[{}]/g, (b) => b)}`)
  })

  it('matches every JSON route: a real answer fits its documented schema, and a 400 fits the error schema', async () => {
    const samples: Record<string, string> = {
      '/search': '/search?q=oil+prices&topic=crude',
      '/topics': '/topics',
      '/articles/{id}': '/articles/putin-meets-syria-on-defense-industry',
      '/health': '/health',
      '/suggest': '/suggest?q=oil+pri',
      '/articles/{id}/related': '/articles/1306/related',
    }
    for (const operation of OPERATIONS.filter((o) => o.response instanceof z.ZodType)) {
      const sample = samples[operation.path]
      expect(sample, `a sample request for ${operation.path}`).toBeDefined()
      const response = await SELF.fetch(`http://search.test${sample}`)
      expect(response.status).toBe(200)
      ;(operation.response as z.ZodType).parse(await response.json())
      if (operation.errors.includes(400)) {
        const bad = await SELF.fetch(`http://search.test${sample}${sample!.includes('?') ? '&' : '?'}nope=1`)
        expect(bad.status).toBe(400)
        ERROR_RESPONSE.parse(await bad.json())
      }
    }
  })
})
