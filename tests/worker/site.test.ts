import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { registerSite, site, PAGE_CSP } from '../../src/site'
import { embedSnippet } from '../../src/site/page'
import { escapeHtml } from '../../src/http/html'
import widgetJs from '../../generated/widget'

// The site routes are tested as a sub-app over a bare Hono app, so this file does not depend on how
// src/app.ts registers them.
const app = registerSite(new Hono())

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))
  return (await new Response(stream).arrayBuffer()).byteLength
}

describe('site routes', () => {
  it('serves the demo page as HTML that loads /widget.js and uses the widget on its own origin', async () => {
    const response = await app.request('http://search.test/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(PAGE_CSP)
    const html = await response.text()
    expect(html).toMatch(/<script src="\/widget\.js" defer><\/script>/)
    expect(html).toMatch(/<article-search endpoint=""/)
    expect(html).toContain('How to embed this on your site')
    // The embed snippet names the Worker's own origin, escaped.
    expect(html).toContain(escapeHtml(embedSnippet('http://search.test')))
  })

  it('has no inline script, no event-handler attribute and no inline style on the page', async () => {
    const html = await (await app.request('http://search.test/')).text()
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    expect(scripts.length).toBe(1)
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\ssrc="\/[^"]*"/)
      expect(body!.trim()).toBe('')
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
    expect(html).not.toMatch(/<style\b/i)
    expect(html).not.toMatch(/\sstyle\s*=/i)
    expect(html).not.toMatch(/javascript:/i)
  })

  it('serves the widget as JavaScript with caching headers and a working ETag', async () => {
    const response = await app.request('http://search.test/widget.js')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const body = await response.text()
    expect(body).toBe(widgetJs)
    expect(body).toContain('article-search')
    const etag = response.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/)
    const again = await app.request('http://search.test/widget.js', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('answers HEAD like GET, without a body', async () => {
    const response = await app.request('http://search.test/widget.js', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await response.text()).toBe('')
  })

  it('serves the page stylesheet as CSS', async () => {
    const response = await app.request('http://search.test/site.css')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('keeps the widget within its budget: at most 10 KB gzip', async () => {
    expect(await gzipSize(widgetJs)).toBeLessThanOrEqual(10 * 1024)
  })

  it('mounts as a sub-app too', async () => {
    const parent = new Hono().route('/', site)
    expect((await parent.request('http://search.test/widget.js')).status).toBe(200)
  })
})
