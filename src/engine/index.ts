/**
 * The search engine over the compiled index (format version 2).
 *
 * It reproduces `MiniSearch.search` (minisearch 7.2.0) for the options the
 * Worker uses — `combineWith` AND/OR, `boost` per field, `prefix` and `fuzzy`
 * (booleans, numbers or functions of `(term, i, terms)`), `weights`,
 * `maxFuzzy` and `bm25` — with the same scores:
 *
 * - query terms come from the shared analyzer (`tokenize`, then `processTerm`,
 *   which may return several terms), as MiniSearch gets them;
 * - each query term matches exactly (weight 1), as a prefix
 *   (`prefixWeight · len / (len + 0.3 · distance)`) and fuzzily
 *   (`fuzzyWeight · len / (len + distance)`, Levenshtein); the exact term is
 *   never counted again as a prefix or fuzzy match, and prefix matches are
 *   removed from the fuzzy ones;
 * - each match scores BM25+ per field (`k`, `b`, `d` = 1.2, 0.7, 0.5) with the
 *   field's document frequency, N and average field length, times the weight
 *   and the field boost; AND keeps documents matched by every query term, OR
 *   by any, and the final score is multiplied by the number of distinct query
 *   terms that matched.
 *
 * One deliberate difference, a limit: prefix and fuzzy expansions are capped
 * at {@link MAX_EXPANSIONS} derived terms per query term (the most frequent by
 * document frequency summed over fields, then dictionary order), so that no
 * query explodes ("com" has over a thousand extensions). Where the cap bites,
 * results can differ from MiniSearch, which expands without limit. Pass
 * `maxExpansions: Infinity` to lift it.
 *
 * Ties: results are ordered by score descending, then by document number
 * ascending (newest first). MiniSearch orders equal scores by the order in
 * which it met the documents.
 *
 * The hot path scores into reused dense typed arrays (one accumulator per
 * query term, one for the whole query) stamped with counters instead of being
 * cleared, decodes varint postings inline, and allocates nothing per posting.
 *
 * Postings live in chunks that may not be in memory: {@link Engine.plan} works
 * on the dictionary alone and lists the chunks a query needs, the caller (or
 * {@link Engine.match}) loads them through the {@link PostingsSource}, and
 * {@link Engine.execute} scores synchronously.
 *
 * @example
 * ```ts
 * const engine = new Engine({ layout: manifest.index, terms, docs, postings })
 * const results = await engine.search('oil prices', { combineWith: 'AND', boost: { title: 3 } })
 * results[0] // { id: 17, score: 23.4, terms: ['oil', 'price'], queryTerms: ['oil', 'price'], match: { oil: ['title', 'body'], ... } }
 * ```
 */
import { analyze } from '../analyzer'
import type { IndexLayout } from '../index-format'
import { Dictionary } from './dictionary'
import { DocTable } from './docs'

export { Dictionary } from './dictionary'
export { DocTable } from './docs'

/** Derived terms (prefix or fuzzy) kept per query term and kind; see the module doc. */
export const MAX_EXPANSIONS = 64

export type TermOption<T> = T | ((term: string, i: number, terms: string[]) => T)

export interface EngineSearchOptions {
  combineWith?: 'AND' | 'OR' | 'and' | 'or'
  /** Fields to search (default: all). */
  fields?: string[]
  /** Boost per field name; a missing (or 0) boost is 1, as in MiniSearch. */
  boost?: Partial<Record<string, number>>
  prefix?: TermOption<boolean>
  /** true (= 0.2), a fraction of the term length (< 1), or a distance (≥ 1); false or 0: none. */
  fuzzy?: TermOption<boolean | number>
  maxFuzzy?: number
  weights?: { fuzzy?: number; prefix?: number }
  bm25?: { k: number; b: number; d: number }
  /** Cap on prefix and on fuzzy derived terms per query term. Default {@link MAX_EXPANSIONS}. */
  maxExpansions?: number
}

export const DEFAULT_WEIGHTS = { fuzzy: 0.45, prefix: 0.375 }
export const DEFAULT_BM25 = { k: 1.2, b: 0.7, d: 0.5 }

/** Where postings chunks come from: in memory, or fetched on demand and cached. */
export interface PostingsSource {
  /** The bytes of chunk c, if loaded. */
  get(chunk: number): Uint8Array | undefined
  /** Makes every chunk in `chunks` available to {@link get}. */
  load(chunks: readonly number[]): Promise<void>
}

/** One query term, with every dictionary term it matches and that term's weight. */
export interface TermSpec {
  /** The query term (MiniSearch's source term). */
  term: string
  /** Distinct query-term number: repeated query terms share it. */
  group: number
  /** Derived term numbers: the exact term first, then prefix, then fuzzy matches. */
  derived: number[]
  weights: number[]
}

export interface QueryPlan {
  terms: string[]
  /** Specs ordered by group, so repeats of a query term are adjacent. */
  specs: TermSpec[]
  and: boolean
  /** Boost per field id; 0 for a field not searched. */
  boosts: Float64Array
  bm25: { k: number; b: number; d: number }
  /** Postings chunks the plan reads. */
  chunks: number[]
}

/** Unsorted matches of a query: local document numbers and final scores, index-aligned. */
export interface Matches {
  count: number
  docs: Int32Array
  scores: Float64Array
}

export interface SearchResult {
  /** Internal number (global: a shard adds its `docBase`). */
  id: number
  score: number
  /** Dictionary terms that matched (MiniSearch's `terms`). */
  terms: string[]
  /** Query terms that matched. */
  queryTerms: string[]
  /** Dictionary term → fields it matched in. */
  match: Record<string, string[]>
}

export interface EngineParts {
  layout: IndexLayout
  terms: Uint8Array | Dictionary
  docs: Uint8Array | DocTable
  postings: PostingsSource
}

export class Engine {
  readonly layout: IndexLayout
  readonly dictionary: Dictionary
  readonly docs: DocTable
  readonly postings: PostingsSource
  readonly fields: string[]
  /** Global offset of local document numbers (0 unless a shard). */
  readonly docBase: number
  private readonly chunkFirstTerm: Uint32Array
  private readonly chunkByteStart: Float64Array
  // Scratch, reused by every query: per-term accumulator, query accumulator, stamps.
  private readonly termScore: Float64Array
  private readonly termStamp: Int32Array
  private readonly touched: Int32Array
  private readonly queryScore: Float64Array
  private readonly queryStamp: Int32Array
  private readonly groupStamp: Int32Array
  private readonly quality: Uint16Array
  private readonly list: Int32Array
  private clock = 0

  constructor(parts: EngineParts) {
    this.layout = parts.layout
    this.dictionary = parts.terms instanceof Dictionary ? parts.terms : new Dictionary(parts.terms)
    this.docs = parts.docs instanceof DocTable ? parts.docs : new DocTable(parts.docs)
    this.postings = parts.postings
    this.fields = parts.layout.fields
    this.docBase = parts.layout.shard?.docBase ?? 0
    const { dictionary } = this
    if (dictionary.termCount !== parts.layout.termCount) throw new Error('terms.bin does not match the manifest (term count)')
    if (dictionary.fieldCount !== this.fields.length || this.docs.fieldCount !== this.fields.length) {
      throw new Error('terms.bin or docs.bin does not match the manifest (field count)')
    }
    if (this.docs.count !== parts.layout.localDocumentCount) throw new Error('docs.bin does not match the manifest (document count)')
    const { firstTerm } = parts.layout.postings
    this.chunkFirstTerm = Uint32Array.from(firstTerm)
    this.chunkByteStart = Float64Array.from(firstTerm, (t) => dictionary.postStart[t * dictionary.fieldCount]!)
    const n = this.docs.count
    this.termScore = new Float64Array(n)
    this.termStamp = new Int32Array(n)
    this.touched = new Int32Array(n)
    this.queryScore = new Float64Array(n)
    this.queryStamp = new Int32Array(n)
    this.groupStamp = new Int32Array(n)
    this.quality = new Uint16Array(n)
    this.list = new Int32Array(n)
  }

  /** The postings chunk that holds term t. */
  chunkOf(t: number): number {
    const first = this.chunkFirstTerm
    let lo = 0
    let hi = first.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (first[mid]! <= t) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Analyzes the query and expands each term against the dictionary. Needs no postings. */
  plan(query: string, options: EngineSearchOptions = {}): QueryPlan {
    const terms = analyze(query).filter((term) => term.length > 0)
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights }
    const maxFuzzy = options.maxFuzzy ?? 6
    const cap = options.maxExpansions ?? MAX_EXPANSIONS
    const dict = this.dictionary
    const groups = new Map<string, number>()
    const specs: TermSpec[] = []
    terms.forEach((term, i) => {
      const fuzzyOption = typeof options.fuzzy === 'function' ? options.fuzzy(term, i, terms) : (options.fuzzy ?? false)
      const prefix = typeof options.prefix === 'function' ? options.prefix(term, i, terms) : options.prefix === true
      let group = groups.get(term)
      if (group === undefined) groups.set(term, (group = groups.size))
      const spec: TermSpec = { term, group, derived: [], weights: [] }
      const exact = dict.find(term)
      if (exact >= 0) {
        spec.derived.push(exact)
        spec.weights.push(1)
      }
      let lo = 0
      let hi = 0
      if (prefix) {
        ;[lo, hi] = dict.prefixRange(term)
        const candidates: number[] = []
        for (let t = lo; t < hi; t++) if (t !== exact) candidates.push(t)
        for (const t of this.capped(candidates, cap)) {
          const length = dict.termLength(t)
          spec.derived.push(t)
          spec.weights.push((weights.prefix * length) / (length + 0.3 * (length - term.length)))
        }
      }
      if (fuzzyOption) {
        const fuzzy = fuzzyOption === true ? 0.2 : fuzzyOption
        const maxDistance = fuzzy < 1 ? Math.min(maxFuzzy, Math.round(term.length * fuzzy)) : fuzzy
        if (maxDistance) {
          const candidates: number[] = []
          const distances = new Map<number, number>()
          dict.fuzzy(term, maxDistance, (t, distance) => {
            if (distance === 0 || (t >= lo && t < hi)) return
            candidates.push(t)
            distances.set(t, distance)
          })
          for (const t of this.capped(candidates, cap)) {
            const length = dict.termLength(t)
            spec.derived.push(t)
            spec.weights.push((weights.fuzzy * length) / (length + distances.get(t)!))
          }
        }
      }
      specs.push(spec)
    })
    // Stable: repeats of a query term become adjacent (sums are order-insensitive up to rounding).
    specs.sort((a, b) => a.group - b.group)
    const boosts = new Float64Array(this.fields.length)
    this.fields.forEach((field, f) => {
      if (options.fields && !options.fields.includes(field)) return
      const boost = options.boost && Object.prototype.hasOwnProperty.call(options.boost, field) ? options.boost[field] : undefined
      boosts[f] = boost || 1
    })
    const chunks = new Set<number>()
    for (const spec of specs) for (const t of spec.derived) chunks.add(this.chunkOf(t))
    const combineWith = (options.combineWith ?? 'OR').toUpperCase()
    if (combineWith !== 'AND' && combineWith !== 'OR') throw new Error(`Invalid combination operator: ${options.combineWith}`)
    return { terms, specs, and: combineWith === 'AND', boosts, bm25: { ...DEFAULT_BM25, ...options.bm25 }, chunks: [...chunks].sort((a, b) => a - b) }
  }

  /** The `cap` most frequent candidates (document frequency over all fields, then term order), in term order. */
  private capped(candidates: number[], cap: number): number[] {
    if (candidates.length <= cap) return candidates
    const dict = this.dictionary
    const df = new Map(candidates.map((t) => [t, dict.totalDf(t)]))
    return candidates
      .slice()
      .sort((a, b) => df.get(b)! - df.get(a)! || a - b)
      .slice(0, cap)
      .sort((a, b) => a - b)
  }

  private tick(): number {
    if (this.clock >= 0x3fffffff) {
      this.clock = 0
      this.termStamp.fill(0)
      this.queryStamp.fill(0)
      this.groupStamp.fill(0)
    }
    return ++this.clock
  }

  /** The bytes of the chunk of term t, and the global byte offset where that chunk starts. */
  private chunkBytes(t: number): { bytes: Uint8Array; base: number } {
    const c = this.chunkOf(t)
    const bytes = this.postings.get(c)
    if (!bytes) throw new Error(`postings chunk ${c} is not loaded`)
    return { bytes, base: this.chunkByteStart[c]! }
  }

  /** Scores a plan whose chunks are loaded. */
  execute(plan: QueryPlan): Matches {
    const { dictionary: dict, docs } = this
    const F = this.fields.length
    const N = this.layout.documentCount
    const avg = this.layout.averageFieldLength
    const { k, b, d } = plan.bm25
    const fieldLength = docs.fieldLength
    const { termScore, termStamp, touched, queryScore, queryStamp, groupStamp, quality, list } = this
    const queryMark = this.tick()
    let count = 0
    let group = -1
    let groupMark = 0
    for (let s = 0; s < plan.specs.length; s++) {
      const spec = plan.specs[s]!
      if (spec.group !== group) {
        group = spec.group
        groupMark = this.tick()
      }
      const specMark = this.tick()
      let touchedCount = 0
      for (let i = 0; i < spec.derived.length; i++) {
        const t = spec.derived[i]!
        const weight = spec.weights[i]!
        const { bytes, base } = this.chunkBytes(t)
        for (let f = 0; f < F; f++) {
          const start = dict.postStart[t * F + f]!
          const end = dict.postStart[t * F + f + 1]!
          if (start === end || plan.boosts[f] === 0) continue
          const df = dict.df[t * F + f]!
          const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5))
          const scale = weight * plan.boosts[f]!
          const avgLength = avg[f]!
          let pos = start - base
          const stop = end - base
          let doc = 0
          while (pos < stop) {
            let byte = bytes[pos++]!
            let delta = byte & 0x7f
            for (let shift = 128; byte & 0x80; shift *= 128) {
              byte = bytes[pos++]!
              delta += (byte & 0x7f) * shift
            }
            byte = bytes[pos++]!
            let tf = byte & 0x7f
            for (let shift = 128; byte & 0x80; shift *= 128) {
              byte = bytes[pos++]!
              tf += (byte & 0x7f) * shift
            }
            doc += delta
            // calcBM25Score of MiniSearch, operation for operation.
            const raw = idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * fieldLength[doc * F + f]!) / avgLength)))
            const score = scale * raw
            if (termStamp[doc] !== specMark) {
              termStamp[doc] = specMark
              termScore[doc] = score
              touched[touchedCount++] = doc
            } else termScore[doc]! += score
          }
        }
      }
      if (s === 0 || !plan.and) {
        for (let i = 0; i < touchedCount; i++) {
          const doc = touched[i]!
          if (queryStamp[doc] !== queryMark) {
            queryStamp[doc] = queryMark
            queryScore[doc] = termScore[doc]!
            groupStamp[doc] = groupMark
            quality[doc] = 1
            list[count++] = doc
          } else {
            queryScore[doc]! += termScore[doc]!
            if (groupStamp[doc] !== groupMark) {
              groupStamp[doc] = groupMark
              quality[doc]!++
            }
          }
        }
      } else {
        let kept = 0
        for (let i = 0; i < count; i++) {
          const doc = list[i]!
          if (termStamp[doc] !== specMark) continue
          queryScore[doc]! += termScore[doc]!
          if (groupStamp[doc] !== groupMark) {
            groupStamp[doc] = groupMark
            quality[doc]!++
          }
          list[kept++] = doc
        }
        count = kept
        if (count === 0) break
      }
    }
    const docsOut = new Int32Array(count)
    const scores = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const doc = list[i]!
      docsOut[i] = doc
      scores[i] = queryScore[doc]! * quality[doc]!
    }
    return { count, docs: docsOut, scores }
  }

  /** Plans, loads the chunks the plan needs, and scores. */
  async match(query: string, options: EngineSearchOptions = {}): Promise<{ plan: QueryPlan; matches: Matches }> {
    const plan = this.plan(query, options)
    await this.postings.load(plan.chunks)
    return { plan, matches: this.execute(plan) }
  }

  /**
   * Indexes into `matches` of the best `k` that pass `keep` (local document
   * number → boolean), by score descending, then document number ascending.
   */
  rank(matches: Matches, k = Infinity, keep?: (doc: number) => boolean): Int32Array {
    const { docs, scores } = matches
    let picked: Int32Array
    if (keep) {
      const buffer = new Int32Array(matches.count)
      let n = 0
      for (let i = 0; i < matches.count; i++) if (keep(docs[i]!)) buffer[n++] = i
      picked = buffer.subarray(0, n)
    } else {
      picked = new Int32Array(matches.count)
      for (let i = 0; i < matches.count; i++) picked[i] = i
    }
    const before = (i: number, j: number) => scores[j]! - scores[i]! || docs[i]! - docs[j]!
    if (k >= picked.length) return picked.sort(before)
    // Bounded max-heap of the k best (the root is the worst kept).
    const heap = new Int32Array(Math.max(0, k))
    let size = 0
    const worse = (i: number, j: number) => before(i, j) > 0
    const siftUp = (at: number) => {
      while (at > 0) {
        const parent = (at - 1) >> 1
        if (!worse(heap[at]!, heap[parent]!)) break
        ;[heap[at], heap[parent]] = [heap[parent]!, heap[at]!]
        at = parent
      }
    }
    const siftDown = (at: number) => {
      for (;;) {
        const l = 2 * at + 1
        const r = l + 1
        let top = at
        if (l < size && worse(heap[l]!, heap[top]!)) top = l
        if (r < size && worse(heap[r]!, heap[top]!)) top = r
        if (top === at) break
        ;[heap[at], heap[top]] = [heap[top]!, heap[at]!]
        at = top
      }
    }
    if (k <= 0) return heap
    for (let p = 0; p < picked.length; p++) {
      const i = picked[p]!
      if (size < k) {
        heap[size++] = i
        siftUp(size - 1)
      } else if (worse(heap[0]!, i)) {
        heap[0] = i
        siftDown(0)
      }
    }
    return heap.subarray(0, size).sort(before)
  }

  /**
   * MiniSearch's `terms`, `queryTerms` and `match` for some local documents
   * of a plan: one more pass over the plan's postings, marking only those.
   */
  explain(plan: QueryPlan, localDocs: readonly number[]): Map<number, Omit<SearchResult, 'id' | 'score'>> {
    const out = new Map<number, Omit<SearchResult, 'id' | 'score'>>()
    for (const doc of localDocs) out.set(doc, { terms: [], queryTerms: [], match: Object.create(null) as Record<string, string[]> })
    if (localDocs.length === 0) return out
    const dict = this.dictionary
    const F = this.fields.length
    for (const spec of plan.specs) {
      for (const t of spec.derived) {
        const { bytes, base } = this.chunkBytes(t)
        let name: string | undefined
        for (let f = 0; f < F; f++) {
          const start = dict.postStart[t * F + f]!
          const end = dict.postStart[t * F + f + 1]!
          if (start === end || plan.boosts[f] === 0) continue
          let pos = start - base
          const stop = end - base
          let doc = 0
          while (pos < stop) {
            let byte = bytes[pos++]!
            let delta = byte & 0x7f
            for (let shift = 128; byte & 0x80; shift *= 128) {
              byte = bytes[pos++]!
              delta += (byte & 0x7f) * shift
            }
            while (bytes[pos++]! & 0x80);
            doc += delta
            const entry = out.get(doc)
            if (!entry) continue
            name ??= dict.term(t)
            const fields = (entry.match[name] ??= (entry.terms.push(name), []))
            if (!fields.includes(this.fields[f]!)) fields.push(this.fields[f]!)
            if (!entry.queryTerms.includes(spec.term)) entry.queryTerms.push(spec.term)
          }
        }
      }
    }
    return out
  }

  /** `MiniSearch.search`: every match, ranked, with its terms. */
  async search(query: string, options: EngineSearchOptions = {}): Promise<SearchResult[]> {
    const { plan, matches } = await this.match(query, options)
    const order = this.rank(matches)
    const localDocs = Array.from(order, (i) => matches.docs[i]!)
    const details = this.explain(plan, localDocs)
    return Array.from(order, (i) => ({ id: this.docBase + matches.docs[i]!, score: matches.scores[i]!, ...details.get(matches.docs[i]!)! }))
  }
}

/** A {@link PostingsSource} over chunks already in memory. */
export function memoryPostings(chunks: readonly Uint8Array[]): PostingsSource {
  return {
    get: (chunk) => chunks[chunk],
    load: async () => undefined,
  }
}
