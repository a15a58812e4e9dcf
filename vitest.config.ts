import { defineConfig } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'

/**
 * Three projects:
 * - `worker`: the Worker's own tests, run inside workerd by the Workers pool,
 *   against the index that `npm run build` bundled from `data/`.
 * - `build`: the index build, in Node, over fixtures cut from the corpora.
 * - `e2e`: a real `wrangler dev` server, queried over HTTP.
 * - `contract`: the OpenAPI document checked by an independent OpenAPI 3.1 validator (Node: it compiles schemas with
 *   `new Function`, which workerd forbids).
 * - `eval`: the relevance harness's metrics (nDCG, Recall) against hand-worked examples.
 * - `browser`: the widget and demo page in Debian's Chromium (playwright-core) against `wrangler dev`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // A tiny limiter for the rate-limit test; the Worker's own RATE_LIMITER stays as wrangler.toml says.
            miniflare: { ratelimits: { TEST_RATE_LIMITER: { simple: { limit: 3, period: 60 } } } },
          }),
        ],
        resolve: { alias: { 'embedded-index': new URL('./generated/assets/embedded.js', import.meta.url).pathname } },
        // The first request of each file loads the index; give it room on a busy 2-core machine.
        test: { name: 'worker', include: ['tests/worker/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        test: { name: 'build', include: ['tests/build/**/*.test.ts'], environment: 'node', testTimeout: 120_000 },
      },
      {
        test: { name: 'contract', include: ['tests/contract/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'eval', include: ['tests/eval/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
})
