import { defineConfig } from 'vitest/config'

/**
 * The eval harness's own unit tests (metrics, query truncation, topic tables),
 * in Node, without the root config's Worker and e2e projects:
 * `npx vitest run --config eval/vitest.config.ts`.
 */
export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  test: { name: 'eval', include: ['tests/eval/**/*.test.ts'], environment: 'node' },
})
