/**
 * The index files bundled into the script: `embedded.js` of the build's out
 * dir, resolved through the `embedded-index` alias (wrangler.toml `[alias]`,
 * vitest.config.ts). `undefined` when the index is too large to embed.
 * See `src/search-index/embedded.ts`.
 */
declare module 'embedded-index' {
  const files: import('./search-index/embedded').EmbeddedFiles | undefined
  export default files
}
