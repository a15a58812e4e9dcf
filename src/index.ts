/**
 * The Worker's entry point: the app over the artefacts that `npm run build`
 * wrote to `generated/assets/` and that wrangler deploys as static assets (see
 * `[assets]` in wrangler.toml and `src/index-format`).
 *
 * The index is loaded on the first request that needs it and kept for the
 * life of the isolate, so a request that never touches it (a CORS preflight,
 * a 404) pays nothing. Loading reads only the manifest, the dictionary, the
 * document table and the ids; postings chunks and article fragments are
 * fetched when a query needs them (`src/search-index`).
 */
import { createApp, type Bindings } from './app'
import { assetSource, loadSearchIndex, type SearchIndex } from './search-index'

let loading: Promise<SearchIndex> | undefined

/** The bundled index, loaded once per isolate; a failed load is retried by the next request. */
export function bundledIndex(env: Bindings): Promise<SearchIndex> {
  loading ??= loadSearchIndex(assetSource(env.ASSETS)).catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

export default createApp(bundledIndex)
