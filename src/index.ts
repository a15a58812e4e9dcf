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

let loaded: SearchIndex | undefined

/**
 * The bundled index, kept for the life of the isolate once loaded; a failed
 * load is retried by the next request. Only the loaded index is shared, never
 * a load in flight: workerd cancels a request that awaits I/O started by
 * another request, so requests that arrive while the index is cold each load
 * it, and the first to finish is kept.
 */
export async function bundledIndex(env: Bindings): Promise<SearchIndex> {
  if (loaded) return loaded
  const index = await loadSearchIndex(assetSource(env.ASSETS))
  loaded ??= index
  return loaded
}

export default createApp(bundledIndex)
