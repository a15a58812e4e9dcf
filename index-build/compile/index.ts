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
 * Sharding: {@link compileIndex} with a `shard` compiles only the documents
 * [docBase, docBase + count) but keeps the *global* statistics — document
 * count N, average field lengths, and per-field document frequencies in the
 * dictionary — and the global dictionary itself (terms with no local postings
 * included), so a shard scores every document exactly as the single index
 * does, and prefix/fuzzy expansion (and its cap) picks the same terms.
 *
 * @example
 * ```ts
 * const { files, layout } = compileIndex(miniSearch.toJSON(), articles, manifestTopics)
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

/** A postings chunk is closed once it reaches this size (a single term may exceed it). */
export const POSTINGS_CHUNK_BYTES = 256 * 1024

export interface CompiledFile {
  name: string
  bytes: Buffer
}

export interface CompileOptions {
  /** Compile a shard: global internal numbers [docBase, docBase + count). */
  shard?: { index: number; count: number; docBase: number; docCount: number }
  chunkBytes?: number
}

export interface Compiled {
  files: CompiledFile[]
  layout: IndexLayout
}

type FieldPostings = Record<string, number>

export function compileIndex(
  json: AsPlainObject,
  articles: readonly StoredArticle[],
  topics: readonly Topic[],
  options: CompileOptions = {},
): Compiled {
  const fields = IndexedFields
  const F = fields.length
  const fieldIdOf = fields.map((field) => {
    const id = json.fieldIds[field]
    if (id === undefined) throw new Error(`MiniSearch index has no field "${field}"`)
    return id
  })
  // Short id → internal number.
  const numberOf = new Map<number, number>()
  for (const [shortId, n] of Object.entries(json.documentIds)) numberOf.set(Number(shortId), n as number)
  const docBase = options.shard?.docBase ?? 0
  const localCount = options.shard?.docCount ?? articles.length
  const inShard = (n: number) => n >= docBase && n < docBase + localCount

  // Dictionary: every term (the global dictionary, also in a shard), in code-unit order.
  const entries = json.index.map(([term, data]) => [term, data] as [string, Record<string, FieldPostings>])
  entries.sort((a, b) => compareCodeUnits(a[0], b[0]))
  const T = entries.length
  let C = 0
  for (const [term] of entries) C += term.length

  const termStart = new Uint32Array(T + 1)
  const df = new Uint32Array(T * F)
  const postStart = new Uint32Array(T * F + 1)
  const chars = new Uint16Array(C)
  const chunkLimit = options.chunkBytes ?? POSTINGS_CHUNK_BYTES
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
    const [term, data] = entries[t]!
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
      const freqs = data[String(fieldIdOf[f])]
      if (!freqs) continue
      const postings: [number, number][] = []
      for (const [shortId, tf] of Object.entries(freqs)) {
        const n = numberOf.get(Number(shortId))
        if (n === undefined) continue // removed document (never, in a fresh build)
        postings.push([n, tf])
      }
      df[t * F + f] = postings.length
      postings.sort((a, b) => a[0] - b[0])
      let previous = 0
      const fieldPositions = termPositions?.[f]
      for (const [n, tf] of postings) {
        if (!inShard(n)) continue
        const local = n - docBase
        pushVarint(chunk, local - previous)
        pushVarint(chunk, tf)
        previous = local
        const positions = fieldPositions?.get(n)
        if (!positions || positions.length !== tf) {
          throw new Error(`positions of "${term}" in ${fields[f]} of document ${n}: ${positions?.length ?? 0}, but MiniSearch counted tf ${tf}`)
        }
        let last = 0
        for (const p of positions) {
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

  const termsBin = concat([u32([TERMS_MAGIC, T, F, C]), termStart, df, postStart, chars])
  if (TERMS_LAYOUT.headerWords !== 4) throw new Error('unreachable')

  // Per-document table of the local documents.
  const local = articles.slice(docBase, docBase + localCount)
  const fieldLength = new Uint32Array(localCount * F)
  for (const [shortId, lengths] of Object.entries(json.fieldLength)) {
    const n = numberOf.get(Number(shortId))
    if (n === undefined || !inShard(n)) continue
    for (let f = 0; f < F; f++) fieldLength[(n - docBase) * F + f] = (lengths as (number | null)[])[fieldIdOf[f]!] ?? 0
  }
  const topicIdOf = new Map(topics.map((topic, i) => [topic.slug, i]))
  const topicStart = new Uint32Array(localCount + 1)
  const topicIdList: number[] = []
  local.forEach((article, d) => {
    topicStart[d] = topicIdList.length
    for (const slug of article.topics) {
      const id = topicIdOf.get(slug)
      if (id === undefined) throw new Error(`article "${article.id}" has topic "${slug}" missing from the manifest`)
      topicIdList.push(id)
    }
  })
  topicStart[localCount] = topicIdList.length
  const idOrder = Uint32Array.from(
    local.map((_, d) => d).sort((a, b) => compareCodeUnits(local[a]!.id, local[b]!.id)),
  )
  // Dates: ms since 1970 (NaN when undated), non-increasing in the internal number.
  const dates = Float64Array.from(local, (article) => (article.date === null ? Number.NaN : dateSortKey(article.date)))
  const allDates = articles.map((article) => (article.date === null ? Number.NaN : dateSortKey(article.date))).filter((d) => !Number.isNaN(d))
  const docsBin = concat([u32([DOCS_MAGIC, localCount, F, topicIdList.length]), dates, fieldLength, topicStart, idOrder, Uint16Array.from(topicIdList)])
  if (DOCS_LAYOUT.headerWords !== 4) throw new Error('unreachable')

  const files: CompiledFile[] = [
    { name: FILES.terms, bytes: termsBin },
    { name: FILES.docs, bytes: docsBin },
    { name: FILES.ids, bytes: Buffer.from(JSON.stringify(local.map((article) => article.id))) },
  ]
  chunks.forEach((bytes, i) => files.push({ name: FILES.postings(i), bytes }))
  positionChunks.forEach((bytes, i) => files.push({ name: FILES.positions(i), bytes }))
  const perFragment = articlesPerFragment(localCount)
  const fragmentCount = Math.ceil(localCount / perFragment)
  for (let k = 0; k < fragmentCount; k++) {
    const first = k * perFragment
    const fragment: ArticleFragment = { formatVersion: FORMAT_VERSION, first, articles: local.slice(first, first + perFragment) }
    files.push({ name: FILES.fragment(k), bytes: Buffer.from(JSON.stringify(fragment)) })
  }

  const layout: IndexLayout = {
    fields: [...fields],
    documentCount: json.documentCount,
    averageFieldLength: fieldIdOf.map((id) => json.averageFieldLength[id] ?? 0),
    termCount: T,
    postings: { files: chunks.map((_, i) => FILES.postings(i)), firstTerm, bytes: chunks.map((bytes) => bytes.length) },
    positions: { files: positionChunks.map((_, i) => FILES.positions(i)), bytes: positionChunks.map((bytes) => bytes.length) },
    dates: { newest: allDates.length ? allDates.reduce((a, b) => Math.max(a, b)) : null, oldest: allDates.length ? allDates.reduce((a, b) => Math.min(a, b)) : null },
    fragments: { perFragment, count: fragmentCount },
    localDocumentCount: localCount,
    ...(options.shard ? { shard: { index: options.shard.index, count: options.shard.count, docBase } } : {}),
  }
  return { files, layout }
}

/** Per term, per field id (in {@link IndexedFields} order): internal number → token positions. */
type TermPositions = Map<string, Map<number, number[]>[]>

const positionCache = new WeakMap<readonly StoredArticle[], TermPositions>()

/**
 * Token positions of every term in every field of every article, counted as
 * MiniSearch counts terms: the raw tokens of `tokenize`, each giving zero or
 * more terms through `processTerm`, all at the token's position; a token
 * advances the position by {@link tokenAdvance} (2, or 1 for a stop word). The topics
 * field is the text `index-build/write.ts` (`topicText`) indexes: each
 * display name and slug, once. Cached per article list (the shards reuse it).
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
          if (!perField) out.set(term, (perField = Array.from({ length: F }, () => new Map<number, number[]>())))
          const byDoc = perField[f]!
          const list = byDoc.get(n)
          if (list) list.push(at)
          else byDoc.set(n, [at])
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
