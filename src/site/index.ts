/**
 * The site routes: the demo page and the embeddable widget.
 *
 * | route | what |
 * |---|---|
 * | `GET /` | the demo page: `<article-search>` over this Worker's own API, and how to embed it |
 * | `GET /widget.js` | the `<article-search>` web component (built by `widget/build.ts` into `generated/widget.ts`) |
 * | `GET /site.css` | the demo page's stylesheet (kept out of the page so a strict CSP needs no `unsafe-inline`) |
 *
 * Every answer carries an ETag (a hash of its bytes) and `Cache-Control`; a matching `If-None-Match` gets a 304.
 * The page is served with a strict Content-Security-Policy (`script-src 'self'`, `style-src 'self'`).
 *
 * @example
 * ```ts
 * import { createApp } from './app'
 * import { registerSite } from './site'
 *
 * const app = createApp(bundledIndex)
 * registerSite(app) // adds GET /, /widget.js, /site.css
 * export default app
 * ```
 */
import { Hono, type Context, type Env } from 'hono'
import widgetJs from '../../generated/widget'
import { matchesEtag } from '../http/cache'
import { demoPage, SITE_CSS } from './page'

/** The page's CSP: nothing inline; the widget talks to this origin only. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Revalidated by ETag after five minutes; the widget's URL has no version in it, so it must not be immutable. */
const STATIC_CACHE = 'public, max-age=300, s-maxage=3600, stale-while-revalidate=86400'

/** FNV-1a over UTF-16 code units, as a quoted entity tag: cheap, stable, computed once per isolate. */
export function etagOf(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return `"${(hash >>> 0).toString(16).padStart(8, '0')}-${text.length.toString(16)}"`
}

// Hashed on first use, not at load: hashing the widget counted about 3 ms of the 50 ms startup budget.
let widgetEtag: string | undefined
let cssEtag: string | undefined

function send(c: Context, body: string, type: string, etag: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'Cache-Control': STATIC_CACHE, ETag: etag, 'X-Content-Type-Options': 'nosniff', ...extra }
  if (matchesEtag(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers)
  return c.body(body, 200, { ...headers, 'Content-Type': type })
}

/** The site as a Hono sub-app; mount it with `app.route('/', site)` or call `registerSite(app)`. */
export const site = new Hono()

site.get('/', (c) => {
  const html = demoPage(new URL(c.req.url).origin)
  return send(c, html, 'text/html; charset=utf-8', etagOf(html), {
    'Cache-Control': 'public, max-age=60, s-maxage=300',
    'Content-Security-Policy': PAGE_CSP,
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  })
})
site.get('/widget.js', (c) => send(c, widgetJs, 'text/javascript; charset=utf-8', (widgetEtag ??= etagOf(widgetJs))))
site.get('/site.css', (c) => send(c, SITE_CSS, 'text/css; charset=utf-8', (cssEtag ??= etagOf(SITE_CSS))))

/** Adds the site routes (`/`, `/widget.js`, `/site.css`) to `app` and returns it. */
export function registerSite<E extends Env>(app: Hono<E, any, any>): Hono<E, any, any> {
  app.route('/', site as unknown as Hono<E>)
  return app
}
