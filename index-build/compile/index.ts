/**
 * Compiles a built MiniSearch index into format version 2 (`src/index-format`):
 * the immutable binary dictionary, chunked postings, per-document table and
 * article fragments that the Worker's engine (`src/engine`) reads in place.
 *
 * Input is `miniSearch.toJSON()` — `index` (term → field id → short id → term
 * frequency), `fieldLength`, `averageFieldLength`, `documentCount`,
 * `fieldIds`, `documentIds` — so scores computed from the compiled form equal
 * MiniSearch's own.
 *
 * Positions are not in MiniSearch's JSON: {@link tokenPositions} recomputes
 * them from the articles with the shared analyzer (the same `tokenize` and
 * `processTerm` MiniSearch indexed with), and the compiler checks that every
 * (term, field, document) has exactly tf positions, so the two cannot drift.
 *
 * Statistics: the dictionary, its per-field document frequencies, the
 * document count N and the average field lengths come from a separate
 * {@link CorpusStatistics}, not from the JSON. For one index they are the
 * JSON's own ({@link corpusStatistics}); for a shard they are the whole
 * corpus's, so a shard scores every document exactly as the single index
 * does, and prefix/fuzzy expansion (and its cap) picks the same terms.
 *
 * Sharding: {@link compileIndex} with a `shard` writes the postings, document
 * table and fragments of the documents [docBase, docBase + docCount) only.
 * `json` may index just those (the two-pass build of `../shards.ts`, which
 * never holds the whole corpus in one MiniSearch) or more (`../write.ts`,
 * whose single index holds all): postings of other documents are skipped.
 *
 * @example
 * ```ts
 * const json = miniSearch.toJSON()
 * const { files, layout } = compileIndex(json, articles, manifestTopics, corpusStatistics(json, articles))
 * ```
 */
import type { AsPlainObject } from 'minisearch'
import {
  articlesPerFragment,
  DOCS_LAYOUT,
  DOCS_MAGIC,
  FILES,
  FORMAT_VERSION,
  IndexedFields,
  POSITIONS_LAYOUT,
  POSITIONS_MAGIC,
  TERMS_LAYOUT,
  TERMS_MAGIC,
  fragmentText,
  type ArticleFragment,
  type IndexLayout,
  type StoredArticle,
  type Topic,
} from '../../src/index-format'
import { pushVarint } from '../../src/engine/varint'
import { tokenAdvance } from '../../src/index-format'
import { processTerm, tokenize } from '../../src/analyzer'
import { compareCodeUnits } from '../compare'
import { dateSortKey } from '../dates'
import { DEFAULT_CACHE_LIMITS } from '../../src/search-index'
import { articlePacks } from './packs'

/** A postings chunk is closed once it reaches this size (a single term may exceed it). */
export const POSTINGS_CHUNK_BYTES = 256 * 1024

/** The chunk size of postings too large for the Worker's postings cache: see {@link postingsChunkBytes}. */
export const SMALL_POSTINGS_CHUNK_BYTES = 32 * 1024

/** Postings bytes per (term, field, document) entry, for {@link postingsChunkBytes}' estimate: a delta and a tf varint. */
const BYTES_PER_POSTING = 3

/**
 * The chunk size for postings of about `estimatedBytes`. Postings that fit in
 * the Worker's largest postings cache (`DEFAULT_CACHE_LIMITS`, 8 MiB) are cut
 * into chunks of 256 KiB: the Worker holds all of them, warmed after its first
 * answer, so the size only sets the number of files. Larger postings (200k
 * articles, a 100k shard) are read a chunk at a time through a cache that holds
 * a few percent of them, so each query's cold terms cost a chunk each: cut
 * into 32 KiB, a query copies less that it does not use. At 200k articles this
 * took `bench:gc`'s CPU from 26.1–28.1 s to 24.7 s and its p99 from 66–70 to
 * 55 ms (docs/benchmarks.md, "Smaller postings chunks for large indexes").
 */
export function postingsChunkBytes(estimatedBytes: number): number {
  return estimatedBytes <= DEFAULT_CACHE_LIMITS.postingsBytes ? POSTINGS_CHUNK_BYTES : SMALL_POSTINGS_CHUNK_BYTES
}

export interface CompiledFile {
  name: string
  bytes: Buffer
}

export interface CompileOptions {
  /** Compile a shard: global internal numbers [docBase, docBase + docCount). */
  shard?: { index: number; count: number; docBase: number; docCount: number }
  /** Postings chunk size. Default: {@link postingsChunkBytes} of the estimated postings size. */
  chunkBytes?: number
}

export interface Compiled {
  files: CompiledFile[]
  layout: IndexLayout
}

/**
 * What a score needs of the whole corpus, whichever part of it is compiled:
 * the dictionary (every term, code-unit order) with per-field document
 * frequencies, N, the average field lengths and the date range.
 */
export interface CorpusStatistics {
  documentCount: number
  /** Per field, in {@link IndexedFields} order, as MiniSearch averages them (a running mean in insertion order). */
  averageFieldLength: number[]
  /** Every term of the corpus, sorted by code units. */
  terms: string[]
  /** Document frequency of term t in field f at `t * F + f`. */
  df: Uint32Array
  /** Newest and oldest date (ms since 1970) of the corpus; null when none is dated. */
  dates: { newest: number | null; oldest: number | null }
}

type FieldPostings = Record<string, number>

/** The field ids of the JSON, in {@link IndexedFields} order. */
export function fieldIdsOf(json: AsPlainObject): number[] {
  return IndexedFields.map((field) => {
    const id = json.fieldIds[field]
    if (id === undefined) throw new Error(`MiniSearch index has no field "${field}"`)
    return id
  })
}

/** Newest and oldest of the dates (ms since 1970, NaN when undated). */
export function dateRange(dates: Iterable<number>): CorpusStatistics['dates'] {
  let newest: number | null = null
  let oldest: number | null = null
  for (const date of dates) {
    if (Number.isNaN(date)) continue
    if (newest === null || date > newest) newest = date
    if (oldest === null || date < oldest) oldest = date
  }
  return { newest, oldest }
}

/** The statistics of a MiniSearch JSON that indexes the whole corpus (`articles`, in internal-number order). */
export function corpusStatistics(json: AsPlainObject, articles: readonly StoredArticle[]): CorpusStatistics {
  const F = IndexedFields.length
  const fieldIdOf = fieldIdsOf(json)
  const entries = json.index.map(([term, data]) => [term, data] as [string, Record<string, FieldPostings>])
  entries.sort((a, b) => compareCodeUnits(a[0], b[0]))
  const df = new Uint32Array(entries.length * F)
  entries.forEach(([, data], t) => {
    for (let f = 0; f < F; f++) {
      const freqs = data[String(fieldIdOf[f])]
      if (freqs) df[t * F + f] = Object.keys(freqs).length
    }
  })
  return {
    documentCount: json.documentCount,
    averageFieldLength: fieldIdOf.map((id) => json.averageFieldLength[id] ?? 0),
    terms: entries.map(([term]) => term),
    df,
    dates: dateRange(articles.map(dateKey)),
  }
}

/** An article's date as ms since 1970, NaN when undated. */
export function dateKey(article: StoredArticle): number {
  return article.date === null ? Number.NaN : dateSortKey(article.date)
}

/**
 * Compiles the documents of `articles` (all of them; a shard's when
 * `options.shard` is set, which numbers them from its `docBase`) scored with
 * `stats`. `json` must index at least these documents, with these numbers.
 */
export function compileIndex(
  json: AsPlainObject,
  articles: readonly StoredArticle[],
  topics: readonly Topic[],
  stats: CorpusStatistics,
  options: CompileOptions = {},
): Compiled {
  const fields = IndexedFields
  const F = fields.length
  const fieldIdOf = fieldIdsOf(json)
  // Short id → internal number.
  const numberOf = new Map<number, number>()
  for (const [shortId, n] of Object.entries(json.documentIds)) numberOf.set(Number(shortId), n as number)
  const docBase = options.shard?.docBase ?? 0
  const localCount = articles.length
  if (options.shard && options.shard.docCount !== localCount) throw new Error(`shard ${options.shard.index}: ${localCount} articles given for ${options.shard.docCount}`)
  const inShard = (n: number) => n >= docBase && n < docBase + localCount
  const dataOf = new Map(json.index as [string, Record<string, FieldPostings>][])

  // Dictionary: every term of the corpus (also in a shard), in code-unit order.
  const terms = stats.terms
  const T = terms.length
  if (stats.df.length !== T * F) throw new Error(`statistics: ${stats.df.length} document frequencies for ${T} terms × ${F} fields`)
  let C = 0
  for (const term of terms) C += term.length

  const termStart = new Uint32Array(T + 1)
  const postStart = new Uint32Array(T * F + 1)
  const chars = new Uint16Array(C)
  // The corpus's postings entries, scaled to this part of it (a shard), estimate the bytes written.
  let entries = 0
  for (let i = 0; i < stats.df.length; i++) entries += stats.df[i]!
  const chunkLimit = options.chunkBytes ?? postingsChunkBytes((entries * BYTES_PER_POSTING * localCount) / Math.max(1, stats.documentCount))
  const positionsOf = tokenPositions(articles, topics)
  const chunks: Buffer[] = []
  const positionChunks: Buffer[] = []
  let positionData: number[] = []
  let positionOffsets: number[] = []
  const firstTerm: number[] = []
  let chunk: number[] = []
  let open = false
  let total = 0
  let c = 0
  for (let t = 0; t < T; t++) {
    const term = terms[t]!
    const data = dataOf.get(term)
    termStart[t] = c
    for (let i = 0; i < term.length; i++) chars[c++] = term.charCodeAt(i)
    if (!open) {
      firstTerm.push(t)
      open = true
    }
    const termPositions = positionsOf.get(term)
    for (let f = 0; f < F; f++) {
      postStart[t * F + f] = total + chunk.length
      positionOffsets.push(positionData.length)
      const freqs = data?.[String(fieldIdOf[f])]
      if (!freqs) continue
      const postings: [number, number][] = []
      for (const shortId in freqs) {
        const n = numberOf.get(Number(shortId))
        if (n === undefined || !inShard(n)) continue // not this shard's (or a removed document: never, in a fresh build)
        postings.push([n - docBase, freqs[shortId]!])
      }
      postings.sort((a, b) => a[0] - b[0])
      let previous = 0
      const fieldPositions = termPositions?.[f]
      let j = 0 // walks fieldPositions.docs, which ascend as the postings do
      for (const [local, tf] of postings) {
        pushVarint(chunk, local - previous)
        pushVarint(chunk, tf)
        previous = local
        while (fieldPositions && j < fieldPositions.docs.length && fieldPositions.docs[j]! < local) j++
        const found = fieldPositions !== undefined && fieldPositions.docs[j] === local
        const from = found ? (j === 0 ? 0 : fieldPositions.ends[j - 1]!) : 0
        const to = found ? fieldPositions.ends[j]! : 0
        if (to - from !== tf) {
          throw new Error(`positions of "${term}" in ${fields[f]} of document ${docBase + local}: ${to - from}, but MiniSearch counted tf ${tf}`)
        }
        let last = 0
        for (let k = from; k < to; k++) {
          const p = fieldPositions!.positions[k]!
          pushVarint(positionData, p - last)
          last = p
        }
      }
    }
    // Chunks close on term boundaries; `total` is the size of the closed ones.
    if (chunk.length >= chunkLimit || t === T - 1) {
      total += chunk.length
      chunks.push(Buffer.from(chunk))
      chunk = []
      open = false
      positionOffsets.push(positionData.length)
      const header = u32([POSITIONS_MAGIC, positionOffsets.length - 1, ...positionOffsets])
      if (POSITIONS_LAYOUT.headerWords !== 2) throw new Error('unreachable')
      positionChunks.push(Buffer.concat([Buffer.from(header.buffer), Buffer.from(positionData)]))
      positionData = []
      positionOffsets = []
    }
  }
  termStart[T] = c
  postStart[T * F] = total
  if (T === 0) firstTerm.push(0)
  if (chunks.length === 0) {
    chunks.push(Buffer.alloc(0))
    positionChunks.push(Buffer.from(u32([POSITIONS_MAGIC, 0, 0]).buffer))
  }

  const termsBin = concat([u32([TERMS_MAGIC, T, F, C]), termStart, stats.df, postStart, chars])
  if (TERMS_LAYOUT.headerWords !== 4) throw new Error('unreachable')

  // Per-document table of the local documents.
  const fieldLength = new Uint32Array(localCount * F)
  for (const [shortId, lengths] of Object.entries(json.fieldLength)) {
    const n = numberOf.get(Number(shortId))
    if (n === undefined || !inShard(n)) continue
    for (let f = 0; f < F; f++) fieldLength[(n - docBase) * F + f] = (lengths as (number | null)[])[fieldIdOf[f]!] ?? 0
  }
  const topicIdOf = new Map(topics.map((topic, i) => [topic.slug, i]))
  const topicStart = new Uint32Array(localCount + 1)
  const topicIdList: number[] = []
  articles.forEach((article, d) => {
    topicStart[d] = topicIdList.length
    for (const slug of article.topics) {
      const id = topicIdOf.get(slug)
      if (id === undefined) throw new Error(`article "${article.id}" has topic "${slug}" missing from the manifest`)
      topicIdList.push(id)
    }
  })
  topicStart[localCount] = topicIdList.length
  const idOrder = Uint32Array.from(
    articles.map((_, d) => d).sort((a, b) => compareCodeUnits(articles[a]!.id, articles[b]!.id)),
  )
  // Dates: ms since 1970 (NaN when undated), non-increasing in the internal number.
  const dates = Float64Array.from(articles, dateKey)
  const docsBin = concat([u32([DOCS_MAGIC, localCount, F, topicIdList.length]), dates, fieldLength, topicStart, idOrder, Uint16Array.from(topicIdList)])
  if (DOCS_LAYOUT.headerWords !== 4) throw new Error('unreachable')

  const files: CompiledFile[] = [
    { name: FILES.terms, bytes: termsBin },
    { name: FILES.docs, bytes: docsBin },
    { name: FILES.ids, bytes: Buffer.from(JSON.stringify(articles.map((article) => article.id))) },
  ]
  chunks.forEach((bytes, i) => files.push({ name: FILES.postings(i), bytes }))
  positionChunks.forEach((bytes, i) => files.push({ name: FILES.positions(i), bytes }))
  const perFragment = articlesPerFragment(localCount)
  const fragmentCount = Math.ceil(localCount / perFragment)
  for (let k = 0; k < fragmentCount; k++) {
    const first = k * perFragment
    const fragment: ArticleFragment = { formatVersion: FORMAT_VERSION, first, articles: articles.slice(first, first + perFragment) }
    files.push({ name: FILES.fragment(k), bytes: Buffer.from(fragmentText(fragment)) })
  }
  const { packs, firstArticle, dictionary } = articlePacks(articles.map((article) => JSON.stringify(article)))
  packs.forEach((bytes, p) => files.push({ name: FILES.pack(p), bytes }))
  if (dictionary) files.push({ name: FILES.packDictionary, bytes: dictionary })

  const layout: IndexLayout = {
    fields: [...fields],
    documentCount: stats.documentCount,
    averageFieldLength: [...stats.averageFieldLength],
    termCount: T,
    postings: { files: chunks.map((_, i) => FILES.postings(i)), firstTerm, bytes: chunks.map((bytes) => bytes.length) },
    positions: { files: positionChunks.map((_, i) => FILES.positions(i)), bytes: positionChunks.map((bytes) => bytes.length) },
    dates: stats.dates,
    fragments: { perFragment, count: fragmentCount },
    packs: { files: packs.map((_, p) => FILES.pack(p)), firstArticle, bytes: packs.map((bytes) => bytes.length), dictionary: dictionary ? FILES.packDictionary : null },
    localDocumentCount: localCount,
    ...(options.shard ? { shard: { index: options.shard.index, count: options.shard.count, docBase } } : {}),
  }
  return { files, layout }
}

/**
 * One term's positions in one field: the documents that have it, ascending
 * (local numbers), and for document `docs[j]` its positions
 * `positions[ends[j - 1] .. ends[j])` (from 0 for j = 0), ascending.
 */
interface FieldPositions {
  docs: number[]
  ends: number[]
  positions: number[]
}

/** Per term, per field (in {@link IndexedFields} order; undefined when the term is not in it). */
type TermPositions = Map<string, (FieldPositions | undefined)[]>

const positionCache = new WeakMap<readonly StoredArticle[], TermPositions>()

/**
 * Token positions of every term in every field of every article (numbered
 * from 0 in `articles` order), counted as
 * MiniSearch counts terms: the raw tokens of `tokenize`, each giving zero or
 * more terms through `processTerm`, all at the token's position; a token
 * advances the position by {@link tokenAdvance} (2, or 1 for a stop word). The topics
 * field is the text `index-build/write.ts` (`topicText`) indexes: each
 * display name and slug, once. Flat arrays rather than a map per term and
 * document: at 100,000 articles a map per (term, field) of arrays per
 * document cost most of the build. Cached per article list.
 */
export function tokenPositions(articles: readonly StoredArticle[], topics: readonly Topic[]): TermPositions {
  const cached = positionCache.get(articles)
  if (cached) return cached
  const nameOf = new Map(topics.map((topic) => [topic.slug, topic.name]))
  const processed = new Map<string, string[]>()
  const out: TermPositions = new Map()
  const F = IndexedFields.length
  articles.forEach((article, n) => {
    const topicWords: string[] = []
    for (const slug of article.topics) for (const word of [nameOf.get(slug) ?? slug, slug]) if (!topicWords.includes(word)) topicWords.push(word)
    const texts: Record<string, string> = { title: article.title, summary: article.summary, body: article.body, topics: topicWords.join(' ') }
    IndexedFields.forEach((field, f) => {
      let p = 0
      for (const token of tokenize(texts[field] ?? '')) {
        let terms = processed.get(token)
        if (!terms) processed.set(token, (terms = processTerm(token)))
        const at = p
        p += tokenAdvance(terms)
        for (const term of terms) {
          let perField = out.get(term)
          if (!perField) out.set(term, (perField = new Array<FieldPositions | undefined>(F).fill(undefined)))
          let list = perField[f]
          if (!list) perField[f] = list = { docs: [], ends: [], positions: [] }
          const last = list.docs.length - 1
          if (last < 0 || list.docs[last] !== n) {
            list.docs.push(n)
            list.ends.push(0)
          }
          list.positions.push(at)
          list.ends[list.docs.length - 1] = list.positions.length
        }
      }
    })
  })
  positionCache.set(articles, out)
  return out
}

function u32(values: number[]): Uint32Array {
  return Uint32Array.from(values)
}

/** Concatenates typed arrays, padding each to a multiple of 4 bytes. */
function concat(parts: (Uint32Array | Uint16Array | Float64Array)[]): Buffer {
  const buffers: Buffer[] = []
  for (const part of parts) {
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    buffers.push(bytes)
    const pad = (4 - (bytes.length % 4)) % 4
    if (pad) buffers.push(Buffer.alloc(pad))
  }
  return Buffer.concat(buffers)
}
