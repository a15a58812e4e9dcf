/**
 * The shards-only build (`--shards k --shards-only`): for a corpus too large
 * for one index (issue #3's 1,000,000 articles), writes only the k shards,
 * each a complete assets directory of its own, without ever holding the whole
 * corpus in one MiniSearch.
 *
 * `../write.ts` compiles its shards from the single index's MiniSearch JSON,
 * which at 200,000 articles took 32 minutes and 9.6 GB. Here instead:
 *
 * 1. **Statistics** ({@link countStatistics}): one pass of the shared analyzer
 *    over every article gives the dictionary, the per-field document
 *    frequencies, N and the average field lengths, counted as MiniSearch
 *    counts them (its `add`: a field's length is its number of distinct
 *    tokens; the average is its running mean in insertion order).
 * 2. **Shards**, one after the other: a MiniSearch of the shard's articles
 *    only, compiled by `./compile` with the corpus statistics, written, and
 *    dropped before the next. MiniSearch stays the indexer: the postings are
 *    its own. What pass 1 counted is checked against it (every document's
 *    field lengths as each shard is indexed, every document frequency summed
 *    over the shards at the end), and a mismatch fails the build before the
 *    out dir is replaced.
 *
 * The compiled shards are byte for byte those of `npm run build -- --shards k`
 * over the same input (`tests/build/shards.test.ts`), so they rank exactly as
 * the single index does (`tests/e2e/sharded.test.ts`).
 *
 * Layout: `<out>/shard-<i>/` holds the shard's index files, its
 * `embedded.js` (when its startup files fit the budget), `.assetsignore` and
 * `suggest/lexicon.json`: the corpus-wide surface forms (for `didYouMean`,
 * which the front asks of shard 0), without titles (the front has no
 * `/suggest`; a shard's own `/suggest` reads titles from its fragments).
 * Each directory is what one shard Worker deploys as its static assets.
 * The lexicon is also written at the root, `<out>/suggest/lexicon.json`,
 * where the shards find it when served locally as `sharded/configs.ts` serves
 * them (the whole out dir, with `INDEX_PREFIX`).
 *
 * @example
 * ```ts
 * await writeShardsOnly('generated/shards', articles, topicCounts, topics, builtAt, { shards: 10 })
 * ```
 */
import MiniSearch from 'minisearch'
import { IndexedFields, MINISEARCH_OPTIONS, type IndexedDocument, type Manifest, type StoredArticle, type TopicCount } from '../src/index-format'
import { compileIndex, dateKey, dateRange, fieldIdsOf, type CorpusStatistics } from './compile'
import { compareCodeUnits } from './compare'
import { ASSETS_IGNORE } from './embed'
import { BuildError } from './errors'
import { suggestArtefacts } from './suggest'
import type { TopicRegistry } from './topics'
import { indexedDocument, packIndex, shardEmbedding, shardRange, writeOutDir } from './write'

export interface ShardsOnlyOptions {
  /** Number of shards, at least 1. */
  shards: number
  /** Gzip budget of each shard's embedded startup files (`./embed.ts`). Default: 2 MiB. */
  embedBudgetBytes?: number
  /** Called as articles are counted (pass 1), with the count done and the total. */
  onCounted?: (done: number, total: number) => void
  /** Called as articles are indexed (pass 2), with the count done and the total. */
  onIndexed?: (done: number, total: number) => void
}

/** {@link CorpusStatistics} plus every document's field lengths (`n * F + f`), for the check against MiniSearch. */
export interface CountedStatistics extends CorpusStatistics {
  fieldLengths: Uint32Array
}

/**
 * Pass 1: the corpus statistics of `articles` (in internal-number order), by
 * the analyzer MiniSearch indexes with (`MINISEARCH_OPTIONS`), as its `add`
 * counts them.
 */
export function countStatistics(articles: readonly StoredArticle[], topics: TopicRegistry, onCounted?: (done: number, total: number) => void): CountedStatistics {
  const F = IndexedFields.length
  const { tokenize, processTerm } = MINISEARCH_OPTIONS
  if (!tokenize || !processTerm) throw new Error('MINISEARCH_OPTIONS must set tokenize and processTerm')
  const counts = new Map<string, Uint32Array>()
  const processed = new Map<string, string[]>()
  const fieldLengths = new Uint32Array(articles.length * F)
  const averageFieldLength = new Array<number>(F).fill(0)
  const seen = new Set<string>()
  articles.forEach((article, n) => {
    const document = indexedDocument(article, n, topics)
    IndexedFields.forEach((field, f) => {
      const tokens = tokenize(document[field], field)
      const length = new Set(tokens).size
      fieldLengths[n * F + f] = length
      // MiniSearch's running mean, in the same order, so the figure is the same double.
      averageFieldLength[f] = (averageFieldLength[f]! * n + length) / (n + 1)
      seen.clear()
      for (const token of tokens) {
        let terms = processed.get(token)
        if (!terms) {
          const out = processTerm(token, field)
          processed.set(token, (terms = Array.isArray(out) ? out : out ? [out] : []))
        }
        for (const term of terms) {
          if (seen.has(term)) continue
          seen.add(term)
          let perField = counts.get(term)
          if (!perField) counts.set(term, (perField = new Uint32Array(F)))
          perField[f]! += 1
        }
      }
    })
    if (onCounted && (n % 500 === 499 || n === articles.length - 1)) onCounted(n + 1, articles.length)
  })
  const terms = [...counts.keys()].sort(compareCodeUnits)
  const df = new Uint32Array(terms.length * F)
  terms.forEach((term, t) => df.set(counts.get(term)!, t * F))
  return {
    documentCount: articles.length,
    averageFieldLength,
    terms,
    df,
    dates: dateRange(articles.map(dateKey)),
    fieldLengths,
  }
}

/** Pass 2's check of one shard's MiniSearch JSON against pass 1: field lengths now, document frequencies summed into `dfSeen`. */
export function checkShard(json: ReturnType<MiniSearch['toJSON']>, stats: CountedStatistics, termIndex: Map<string, number>, dfSeen: Uint32Array): void {
  const F = IndexedFields.length
  const fieldIdOf = fieldIdsOf(json)
  for (const [shortId, lengths] of Object.entries(json.fieldLength)) {
    const n = json.documentIds[shortId] as number
    for (let f = 0; f < F; f++) {
      const length = (lengths as (number | null)[])[fieldIdOf[f]!] ?? 0
      if (length !== stats.fieldLengths[n * F + f]) {
        throw new BuildError(`statistics pass and MiniSearch disagree: ${IndexedFields[f]} of document ${n} has length ${length}, counted ${stats.fieldLengths[n * F + f]}`)
      }
    }
  }
  for (const [term, data] of json.index) {
    const t = termIndex.get(term)
    if (t === undefined) throw new BuildError(`statistics pass and MiniSearch disagree: MiniSearch indexed "${term}", not counted`)
    for (let f = 0; f < F; f++) {
      const postings = (data as Record<string, Record<string, number>>)[String(fieldIdOf[f])]
      if (postings) dfSeen[t * F + f]! += Object.keys(postings).length
    }
  }
}

/**
 * Writes `<outDir>/shard-<i>/` for i < `options.shards` (see the module
 * comment), replacing `outDir` as a whole. Returns each shard's manifest.
 */
export async function writeShardsOnly(
  outDir: string,
  articles: readonly StoredArticle[],
  topicCounts: TopicCount[],
  topics: TopicRegistry,
  builtAt: string,
  options: ShardsOnlyOptions,
): Promise<{ manifests: Manifest[]; artefacts: { file: string; bytes: number }[] }> {
  if (!Number.isInteger(options.shards) || options.shards < 1) throw new BuildError(`--shards-only needs --shards 1 or more, got ${options.shards}`)
  const stats = countStatistics(articles, topics, options.onCounted)
  const termIndex = new Map(stats.terms.map((term, t) => [term, t]))
  const dfSeen = new Uint32Array(stats.df.length)
  // Corpus-wide surface forms, no titles: the same file in every shard.
  const lexicon = suggestArtefacts(articles, { titlesBudgetBytes: 0 }).files
  const manifests: Manifest[] = []
  const artefacts: { file: string; bytes: number }[] = []
  await writeOutDir(outDir, async (write) => {
    let done = 0
    for (let i = 0; i < options.shards; i++) {
      const shard = shardRange(articles.length, i, options.shards)
      const local = articles.slice(shard.docBase, shard.docBase + shard.docCount)
      const miniSearch = new MiniSearch<IndexedDocument>(MINISEARCH_OPTIONS)
      local.forEach((article, d) => {
        miniSearch.add(indexedDocument(article, shard.docBase + d, topics))
        done += 1
        if (options.onIndexed && (done % 500 === 0 || done === articles.length)) options.onIndexed(done, articles.length)
      })
      const json = miniSearch.toJSON()
      checkShard(json, stats, termIndex, dfSeen)
      const compiled = compileIndex(json, local, topicCounts, stats, { shard })
      compiled.files.push(...lexicon)
      const packed = packIndex(compiled, topicCounts, builtAt, shard.docCount)
      const prefix = `shard-${i}/`
      const files = [...packed.files.map((file) => ({ name: prefix + file.name, bytes: file.bytes })), ...shardEmbedding(packed.files, options.embedBudgetBytes, prefix)]
      files.push({ name: prefix + ASSETS_IGNORE.name, bytes: ASSETS_IGNORE.bytes })
      for (const file of files) {
        await write(file)
        artefacts.push({ file: file.name, bytes: file.bytes.length })
      }
      manifests.push(packed.manifest)
    }
    for (const file of lexicon) await write(file)
    const t = dfSeen.findIndex((count, k) => count !== stats.df[k])
    if (t >= 0) {
      const F = IndexedFields.length
      throw new BuildError(`statistics pass and MiniSearch disagree: "${stats.terms[Math.floor(t / F)]}" in ${IndexedFields[t % F]} is in ${dfSeen[t]} documents, counted ${stats.df[t]}`)
    }
  })
  return { manifests, artefacts }
}
