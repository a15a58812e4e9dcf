/**
 * The Workers Cache API in front of `/search`: an answer computed once at a
 * Cloudflare location is served from that location's cache until it expires.
 *
 * - The cache key is the request URL under a path named by the index version,
 *   so a new build (a new version) never serves an answer of the old index.
 * - Only 200s are stored, with the `Cache-Control` the route set.
 * - `X-Cache: HIT | MISS` says which happened.
 * - A failing cache (a `match` or `put` that throws) never fails the request:
 *   the answer is computed and sent as on a miss, and a warning is logged.
 * - The Cache API does nothing on `*.workers.dev` hostnames (puts are ignored
 *   and matches miss); it works on a custom domain or route. So on those
 *   hosts the middleware does not call it at all (`X-Cache: BYPASS`): the
 *   lookup, the copy of the answer and the store cost CPU on every request
 *   (about 1 ms of a 3 ms search in the isolate probe, docs/benchmarks.md) and
 *   could never be of use. Locally, workerd and the vitest pool implement it.
 *
 * @example
 * ```ts
 * app.get('/search', edgeCache({ version: (c) => c.get('index').manifest.indexVersion }), handler)
 * ```
 */
import type { Context, MiddlewareHandler } from 'hono'

export interface EdgeCacheOptions {
  /** The index version that answers this request. */
  version: (c: Context<any>) => string
  /** The cache to use. Default: `caches.default`. */
  cache?: () => Cache
  /** Seconds an answer stays in a location's cache. Default: 300 (as `s-maxage`). */
  ttlSeconds?: number
  /** Whether a request skips the cache (`X-Cache: BYPASS`). Default: {@link cacheIsInert}, a `*.workers.dev` host. */
  bypass?: (url: URL) => boolean
}

/** Whether the Cache API is inert for this URL: on `*.workers.dev` hosts Cloudflare ignores every put, so every lookup misses. */
export function cacheIsInert(url: URL): boolean {
  return url.hostname === 'workers.dev' || url.hostname.endsWith('.workers.dev')
}

/** The cache key of a request for a given index version. */
export function cacheKey(url: string, version: string): string {
  const { pathname, search } = new URL(url)
  return `https://edge-cache.invalid/${encodeURIComponent(version)}${pathname}${search}`
}

/**
 * CORS headers depend on the requesting origin, not on the answer: they are
 * left out of the stored copy, and the CORS middleware sets them afresh on
 * every hit, so one origin's allowance is never replayed to another.
 */
function withoutPerRequestHeaders(response: Response, ttlSeconds: number): Response {
  const stored = new Response(response.body, response)
  for (const name of [...stored.headers.keys()]) {
    if (name.startsWith('access-control-') || name === 'vary') stored.headers.delete(name)
  }
  // How long this location keeps it; the client-facing Cache-Control is set by the outer middleware on every answer.
  stored.headers.set('Cache-Control', `public, max-age=${ttlSeconds}`)
  return stored
}

function warnCacheFailure(operation: 'match' | 'put', error: unknown): undefined {
  console.warn(`Cache API ${operation} failed; answering without the cache: ${error instanceof Error ? error.message : String(error)}`)
  return undefined
}

export function edgeCache(options: EdgeCacheOptions): MiddlewareHandler {
  const open = options.cache ?? (() => caches.default)
  const bypass = options.bypass ?? cacheIsInert
  return async (c, next) => {
    if (c.req.method !== 'GET') return next()
    if (bypass(new URL(c.req.url))) {
      await next()
      if (c.res.status === 200) c.res.headers.set('X-Cache', 'BYPASS')
      return
    }
    const key = cacheKey(c.req.url, options.version(c))
    // The cache only saves work: when it fails (or there is none), the answer is computed as on a miss.
    const hit = await Promise.resolve()
      .then(() => open().match(key))
      .catch((error: unknown) => warnCacheFailure('match', error))
    if (hit) {
      c.res = new Response(hit.body, hit)
      c.res.headers.set('X-Cache', 'HIT')
      return
    }
    await next()
    if (c.res.status !== 200) return
    c.res.headers.set('X-Cache', 'MISS')
    const copy = withoutPerRequestHeaders(c.res.clone(), options.ttlSeconds ?? 300)
    const stored = Promise.resolve()
      .then(() => open().put(key, copy))
      .catch((error: unknown) => warnCacheFailure('put', error))
    try {
      c.executionCtx.waitUntil(stored)
    } catch {
      // No execution context (a direct app.request in tests): finish the put before answering.
      await stored
    }
  }
}
