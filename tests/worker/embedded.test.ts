/**
 * The index files embedded in the script (`embedded-index`, written by
 * index-build/embed.ts): the bundled data's fit, they are the assets' bytes,
 * and a fresh load reads none of them from the assets.
 */
import { env } from 'cloudflare:test'
import embedded from 'embedded-index'
import { describe, expect, it } from 'vitest'
import { FILES } from '../../src/index-format'
import { assetSource, loadSearchIndex, type ArtefactSource } from '../../src/search-index'
import { withEmbedded } from '../../src/search-index/embedded'
import { search } from '../../src/search'
import { LEXICON_FILE } from '../../src/suggest/lexicon'
import { bundledSource } from '../../src'
import { countingSource } from './helpers'

const FIRST_READ = [FILES.manifest, FILES.terms, FILES.docs, FILES.ids, LEXICON_FILE]

const digest = async (bytes: Uint8Array) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].join(',')

/** A source that fails every read: what is not embedded cannot be served. */
const nothing: ArtefactSource = {
  json: async (name) => Promise.reject(new Error(`not embedded: ${name}`)),
  bytes: async (name) => Promise.reject(new Error(`not embedded: ${name}`)),
}

describe('embedded index files', () => {
  it('are the bytes of the same build as the assets', async () => {
    expect(embedded).toBeDefined()
    expect(Object.keys(embedded!).sort()).toEqual([...FIRST_READ].sort())
    const fromScript = withEmbedded(embedded, nothing)
    const fromAssets = assetSource(env.ASSETS)
    for (const name of FIRST_READ) {
      expect(await digest(await fromScript.bytes(name)), name).toBe(await digest(await fromAssets.bytes(name)))
    }
    expect((await fromScript.json<{ indexVersion: string }>(FILES.manifest)).indexVersion).toBe(
      (await fromAssets.json<{ indexVersion: string }>(FILES.manifest)).indexVersion,
    )
  })

  it('spare a fresh load every read but postings and fragments, and search the same', async () => {
    const assets = countingSource()
    const fromScript = await loadSearchIndex(withEmbedded(embedded, assets))
    const fromAssets = await loadSearchIndex(assetSource(env.ASSETS))
    for (const q of ['oil prices', '"crude oil" -opec', 'title:coffee', 'argentin']) {
      const request = { q, topics: [], limit: 10, offset: 0 }
      expect(await search(fromScript, request), q).toEqual(await search(fromAssets, request))
    }
    expect(assets.reads.length).toBeGreaterThan(0)
    expect(assets.reads.filter((name) => !/^(postings|positions|articles)\//.test(name))).toEqual([])
  })

  it('are what the Worker reads, and files that are not embedded still come from the assets', async () => {
    const source = bundledSource(env)
    expect(await source.json<string[]>(FILES.ids)).toEqual(JSON.parse(new TextDecoder().decode(embedded![FILES.ids])))
    const first = await source.json<{ articles: unknown[] }>(FILES.fragment(0))
    expect(first.articles.length).toBeGreaterThan(0)
  })
})
