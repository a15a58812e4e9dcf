/**
 * The Worker's entry point: the app over the artefacts that `npm run build`
 * wrote to `generated/assets/` and that wrangler deploys as static assets (see
 * `[assets]` in wrangler.toml and `src/index-format`).
 *
 * The index is loaded on the first request that needs it and kept for the
 * life of the isolate, so a request that never touches it (a CORS preflight,
 * a 404) pays nothing. Loading reads only the manifest, the dictionary, the
 * document table and the ids, from the script itself when the build could
 * embed them (`embedded-index`, `src/search-index/embedded.ts`), else from the
 * assets; postings chunks and article fragments are fetched when a query
 * needs them (`src/search-index`).
 */
import embedded from 'embedded-index'
import { createApp, type Bindings } from './app'
import { assetSource, loadSearchIndex, type ArtefactSource, type SearchIndex } from './search-index'
import { withEmbedded } from './search-index/embedded'

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
  const index = await loadSearchIndex(bundledSource(env))
  loaded ??= index
  return loaded
}

/** Where the bundled index's files come from: the script's embedded files first, then the assets. */
export function bundledSource(env: Pick<Bindings, 'ASSETS'>): ArtefactSource {
  return withEmbedded(embedded, assetSource(env.ASSETS))
}

export default createApp(bundledIndex, bundledSource)
