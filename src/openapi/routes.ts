/**
 * The contract routes: `GET /openapi.json` and `GET /docs`.
 *
 * @example
 * ```ts
 * registerApiDocs(app) // adds GET /openapi.json and GET /docs
 * ```
 */
import type { Env, Hono } from 'hono'
import { openApiDocument } from '.'
import { DOCS_CSP, docsPage } from './docs-page'

const DOCS_CACHE = 'public, max-age=300, s-maxage=3600'

/** Adds `/openapi.json` and `/docs` to `app` and returns it. */
export function registerApiDocs<E extends Env>(app: Hono<E, any, any>): Hono<E, any, any> {
  app.get('/openapi.json', (c) => {
    c.header('Cache-Control', DOCS_CACHE)
    return c.json(openApiDocument())
  })
  app.get('/docs', (c) => {
    c.header('Cache-Control', DOCS_CACHE)
    c.header('Content-Security-Policy', DOCS_CSP)
    return c.html(docsPage(openApiDocument()))
  })
  return app
}
