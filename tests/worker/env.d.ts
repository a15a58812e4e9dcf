// Bindings the Workers vitest pool gives the tests: wrangler.toml's, plus the test-only rate limiter of vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    ASSETS: Fetcher
    ALLOWED_ORIGINS?: string
    TEST_RATE_LIMITER: RateLimit
  }
}
