/**
 * The Worker's entry point: the app over the artefacts bundled by
 * `npm run build` (see `src/index-format`).
 *
 * The index is loaded on the first request that needs it and kept for the
 * life of the isolate, so a request that never touches it (a CORS preflight)
 * pays nothing.
 */
import type { AsPlainObject } from 'minisearch'
import manifest from '../generated/manifest.json'
import store from '../generated/articles.json'
import indexJson from '../generated/index.json'
import type { ArticleStore, Manifest } from './index-format'
import { createApp } from './app'
import { loadSearchIndex, type SearchIndex } from './search-index'

let loaded: SearchIndex | undefined

function bundledIndex(): SearchIndex {
  loaded ??= loadSearchIndex({
    manifest: manifest as Manifest,
    store: store as ArticleStore,
    index: indexJson as unknown as AsPlainObject,
  })
  return loaded
}

export default createApp(bundledIndex)
