/**
 * Optional per-client rate limiting through the Workers Rate Limiting
 * binding (`[[ratelimits]]` in wrangler.toml, bound as `RATE_LIMITER`).
 *
 * - Without the binding, nothing is limited.
 * - The key is the client's address (`CF-Connecting-IP`, which Cloudflare
 *   always sets at the edge). A request without it (a service binding, a
 *   local test) is not limited, so internal callers are never throttled.
 * - Past the limit the answer is a 429 JSON error with `Retry-After` set to
 *   the binding's period, so a well-behaved client knows when to come back.
 *
 * The binding counts per Cloudflare location and is eventually consistent:
 * it stops floods and scrapers, it is not an exact quota.
 *
 * @example
 * ```ts
 * app.use('/search', rateLimit({ binding: (c) => c.env.RATE_LIMITER, retryAfterSeconds: 60 }))
 * ```
 */
import type { Context, MiddlewareHandler } from 'hono'
import { errorBody } from './errors'

export interface RateLimitOptions {
  /** The binding for this request, or undefined when none is configured. */
  binding: (c: Context<any>) => RateLimit | undefined
  /** `Retry-After` in seconds: the binding's `simple.period`. Default: 60. */
  retryAfterSeconds?: number
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const retryAfter = String(options.retryAfterSeconds ?? 60)
  return async (c, next) => {
    const limiter = options.binding(c)
    const client = c.req.header('CF-Connecting-IP')
    if (limiter && client) {
      const { success } = await limiter.limit({ key: client })
      if (!success) {
        c.header('Retry-After', retryAfter)
        return c.json(errorBody(429, 'rate_limited', `too many requests; retry after ${retryAfter} seconds`), 429)
      }
    }
    await next()
  }
}
