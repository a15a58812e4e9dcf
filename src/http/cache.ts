/**
 * Conditional GETs tied to the index version.
 *
 * Every answer of the API is a pure function of the URL and the index, so the
 * index version is a valid entity tag for every URL: a client (or CDN) that
 * holds an answer from the same index revalidates with `If-None-Match` and
 * gets a bodiless 304, without the Worker searching at all. Hono's own `etag`
 * middleware hashes each body instead, which costs CPU on every request and
 * cannot skip the search.
 *
 * @example
 * ```ts
 * app.get('/search', versionedCache({ version: (c) => c.get('index').manifest.indexVersion }), handler)
 * ```
 */
import type { Context, MiddlewareHandler } from 'hono'

export interface VersionedCacheOptions {
  /** The index version that answers this request. */
  version: (c: Context<any>) => string
  /** `Cache-Control` sent with each 200. Default: {@link DEFAULT_CACHE_CONTROL}. */
  cacheControl?: string
}

/** Browsers keep answers a minute; shared caches five, and may serve stale for ten while revalidating. */
export const DEFAULT_CACHE_CONTROL = 'public, max-age=60, s-maxage=300, stale-while-revalidate=600'

export function versionedCache(options: VersionedCacheOptions): MiddlewareHandler {
  const cacheControl = options.cacheControl ?? DEFAULT_CACHE_CONTROL
  return async (c, next) => {
    const etag = `"${options.version(c)}"`
    if (matchesEtag(c.req.header('If-None-Match'), etag)) {
      return c.body(null, 304, { ETag: etag, 'Cache-Control': cacheControl })
    }
    await next()
    if (c.res.status === 200) {
      c.res.headers.set('ETag', etag)
      c.res.headers.set('Cache-Control', cacheControl)
    }
  }
}

/** Whether an `If-None-Match` header value matches `etag` (weak comparison, `*` included). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*')
}
