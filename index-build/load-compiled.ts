/**
 * Loads a compiled index (format version 2) from a directory in Node, with
 * every postings chunk in memory: for tests, benchmarks and tools. The Worker
 * reads the same files through its ASSETS binding (`src/search-index`).
 *
 * @example
 * ```ts
 * const { engine } = await loadCompiled('generated/assets')
 * await engine.search('oil prices', { combineWith: 'AND' })
 * ```
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Engine, memoryPostings } from '../src/engine'
import { FILES, assertFormatVersion, type ArticleFragment, type Manifest, type StoredArticle } from '../src/index-format'
import type { ArtefactSource } from '../src/search-index'

/** The artefacts of `root` read from disk, in the shape the Worker reads them from its ASSETS binding (`assetSource`). */
export const fileSource = (root: string): ArtefactSource => ({
  json: async (name) => JSON.parse(await readFile(join(root, name), 'utf8')),
  bytes: async (name) => new Uint8Array(await readFile(join(root, name))),
})

export interface LoadedIndex {
  manifest: Manifest
  engine: Engine
  ids: string[]
  /** Every article of the index, by local internal number (reads all fragments). */
  articles(): Promise<StoredArticle[]>
}

export async function loadCompiled(dir: string): Promise<LoadedIndex> {
  const manifest = JSON.parse(await readFile(join(dir, FILES.manifest), 'utf8')) as Manifest
  assertFormatVersion(manifest.formatVersion)
  const layout = manifest.index
  const [terms, docs, ids, ...chunks] = await Promise.all([
    readFile(join(dir, FILES.terms)),
    readFile(join(dir, FILES.docs)),
    readFile(join(dir, FILES.ids), 'utf8'),
    ...layout.postings.files.map((file) => readFile(join(dir, file))),
  ])
  const engine = new Engine({ layout, terms: terms as Uint8Array, docs: docs as Uint8Array, postings: memoryPostings(chunks as Uint8Array[]) })
  return {
    manifest,
    engine,
    ids: JSON.parse(ids as string) as string[],
    async articles() {
      const fragments = await Promise.all(
        Array.from({ length: layout.fragments.count }, async (_, k) => JSON.parse(await readFile(join(dir, FILES.fragment(k)), 'utf8')) as ArticleFragment),
      )
      return fragments.flatMap((fragment) => fragment.articles)
    },
  }
}
