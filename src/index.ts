/**
 * The Worker's entry point: the app over the artefacts that `npm run build`
 * wrote to `generated/assets/` and that wrangler deploys as static assets (see
 * `[assets]` in wrangler.toml and `src/index-format`).
 *
 * The index is loaded on the first request that needs it and kept for the
 * life of the isolate, so a request that never touches it (a CORS preflight,
 * a 404) pays nothing.
 */
import type { AsPlainObject } from 'minisearch'
import type { ArticleStore, Manifest } from './index-format'
import { createApp, type Bindings } from './app'
import { loadSearchIndex, type SearchIndex } from './search-index'

let loading: Promise<SearchIndex> | undefined

/** The bundled index, loaded once per isolate; a failed load is retried by the next request. */
export function bundledIndex(env: Bindings): Promise<SearchIndex> {
  loading ??= loadFromAssets(env.ASSETS).catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

async function loadFromAssets(assets: Fetcher): Promise<SearchIndex> {
  const [manifest, store, index] = await Promise.all([
    readAsset<Manifest>(assets, 'manifest.json'),
    readAsset<ArticleStore>(assets, 'articles.json'),
    readAsset<AsPlainObject>(assets, 'index.json'),
  ])
  return loadSearchIndex({ manifest, store, index })
}

async function readAsset<T>(assets: Fetcher, name: string): Promise<T> {
  // The host is never contacted: the ASSETS binding serves by path only.
  const response = await assets.fetch(`https://assets.invalid/${name}`)
  if (!response.ok) throw new Error(`index artefact ${name} is missing (HTTP ${response.status}); run npm run build`)
  return response.json<T>()
}

export default createApp(bundledIndex)
