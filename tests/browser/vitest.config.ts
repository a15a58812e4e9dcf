import { defineConfig } from 'vitest/config'

/**
 * The browser suite on its own: `vitest run --config tests/browser/vitest.config.ts`.
 * (The root vitest.config.ts runs the same files as its `browser` project.)
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    name: 'browser',
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
