/**
 * The search engine over the compiled index (format version 3).
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
 * Beyond MiniSearch, {@link Engine.planInput} runs a query tree: an AND of
 * groups, each the OR of its clauses, a clause being a word (its terms ANDed,
 * each expanded) or a phrase (exact terms that must stand at their offsets
 * in one field, checked against the positions chunks, scored as the sum of
 * its terms), optionally scoped to one field, minus excluded clauses. The
 * final score is the summed score times the number of distinct query terms
 * matched, so a tree of plain words scores exactly as MiniSearch does
 * ({@link Engine.plan} builds that tree). With `exactFirst`, a derived
 * term's idf is capped at the exact term's (see the option).
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
import { FORMAT_VERSION, POSITIONS_LAYOUT, POSITIONS_MAGIC, partOf, readOffsetTable, type IndexLayout } from '../index-format'
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
  /**
   * What a typo on the first letter costs in the fuzzy distance: 1 (the
   * default) is plain Levenshtein, as in MiniSearch; the Worker uses 2, as
   * Meilisearch does, so a one-typo word keeps its first letter and its walk
   * stays among the terms that start with it (see `Dictionary.fuzzy`).
   */
  firstTypoCost?: number
  /**
   * Exact beats derived: a prefix or typo term's idf is capped, per field, at
   * the idf of the exact query term, so a document with the exact term always
   * outscores one with only a derived term and otherwise equal evidence (same
   * field, tf and field length): the derived weight is < 1 and its idf is no
   * larger. When the query term is not in the dictionary (a word half typed,
   * or misspelt), the cap is the idf of its most common derived term in that
   * field, so a rare completion or correction weighs no more than the common
   * one. MiniSearch has no such rule (a rare misspelling's high idf can beat
   * the exact term), so it is off by default; the Worker turns it on.
   */
  exactFirst?: boolean
  /**
   * Exponent of the coordination factor: the summed score is multiplied by
   * (distinct query terms matched) ^ coordination. 1 (the default) is
   * MiniSearch's rule; the Worker uses 0.5, which ranks long natural-language
   * queries better (SciFact nDCG@10 +0.01, see docs/relevance.md).
   */
  coordination?: number
  /**
   * Rank by BM25F plus a term-proximity bonus instead of MiniSearch's sum of
   * per-field BM25+ (see {@link Bm25fOptions}); null or absent: MiniSearch's
   * rule, which the differential test checks. The Worker sets it
   * ({@link DEFAULT_BM25F}).
   */
  bm25f?: Bm25fOptions | null
}

/**
 * BM25F (Robertson, Zaragoza and Taylor, 2004): a term's frequency in each
 * text field, weighted by the field's boost and normalised by the field's
 * length (1 − b + b · len / avg), is summed into one pseudo-frequency before the saturation
 * `tf~ (k + 1) / (k + tf~)`, so a word found in the title and the body is not
 * counted as two independent pieces of evidence. The idf is the term's
 * largest per-field df over the text fields: a corpus-wide figure that the
 * build stores, so shards rank as one index. Typo and prefix terms weigh as
 * in the plan (their weight, their idf capped at the exact term's, else at
 * the commonest variant's); the last query word's variants share one
 * saturation, as one pseudo-term, so the many completions of a word typed
 * halfway do not add up. Fields in `apart` (topics: a label, not prose) keep
 * the plan's per-field BM25+, with at most the word's idf in the text. No coordination factor: BM25F's saturation
 * already favours documents that match more of the query.
 *
 * The proximity bonus is a sequential-dependence model (Metzler and Croft,
 * 2005) in BM25 form: for each pair of consecutive query words (their exact
 * terms), per field, the occurrences of the first with the second within
 * `orderedSpan` positions after it, and within `window` positions either
 * side, each counted as a BM25 term frequency with the rarer word's idf,
 * weighted `ordered` and `unordered`. Positions count 2 per word and 1 per
 * stop word (docs/query-language.md), so a span of 3 is "next word, or one
 * stop word between", and 14 is an 8-word window. It applies to every
 * match, not only the first page's, so a shard gives a document the same
 * score the whole index would.
 *
 * Measured on SciFact (docs/relevance.md): nDCG@10 0.684 → 0.70, Reuters and
 * BBC topic precision up; the weights are the literature's (0.85 / 0.1 / 0.05,
 * as ratios to the unigram weight), k BM25's usual 1.2. The length
 * normalisation is the plan's `bm25.b` (0.7 in the Worker), so BM25F reads
 * the per-field length table the first pass filled instead of a second one
 * (at 100,000 articles a table is 3.2 MB of the 32 MB heap).
 */
export interface Bm25fOptions {
  /** Saturation of the summed pseudo-frequency. Default 1.2. */
  k: number
  /** Fields scored apart, by the plan's per-field BM25+. Default `['topics']`. */
  apart: readonly string[]
  /** The term-proximity bonus; null for none. */
  proximity: ProximityOptions | null
}

export interface ProximityOptions {
  /** Weight of ordered pairs (the second word right after the first). Default 0.1 / 0.85. */
  ordered: number
  /** Weight of unordered pairs within the window. Default 0.05 / 0.85. */
  unordered: number
  /** Largest position gap of an ordered pair. Default 3 (next word, or one stop word between). */
  orderedSpan: number
  /** Largest position distance, either way, of an unordered pair. Default 14 (an 8-word window). */
  window: number
  /** BM25 k and b of the pair frequencies. Default 1.2 and 0.75. */
  k: number
  b: number
  /**
   * Pairs looked at: the first this many of the query's (a CPU cap, like the
   * typo budget: each pair walks its two words' postings and positions).
   * Default 4.
   */
  maxPairs: number
  /**
   * A pair is left out of a field where even its rarer word is in more than
   * this share of the documents (a CPU cap: such words walk long lists, and
   * their low idf makes the bonus small). Default 0.1.
   */
  maxDf: number
}

/** The Worker's ranking: BM25F with the proximity bonus, literature defaults. */
export const DEFAULT_BM25F: Bm25fOptions = {
  k: 1.2,
  apart: ['topics'],
  proximity: { ordered: 0.1 / 0.85, unordered: 0.05 / 0.85, orderedSpan: 3, window: 14, k: 1.2, b: 0.75, maxPairs: 4, maxDf: 0.1 },
}

export const DEFAULT_WEIGHTS = { fuzzy: 0.45, prefix: 0.375 }
export const DEFAULT_BM25 = { k: 1.2, b: 0.7, d: 0.5 }

/** Where postings chunks come from: in memory, or fetched on demand and cached. */
export interface PostingsSource {
  /** The bytes of chunk c, if loaded (and still cached). */
  get(chunk: number): Uint8Array | undefined
  /**
   * Loads every chunk in `chunks` and returns them. The caller holds the
   * returned map for as long as it reads them: a cache behind {@link get}
   * may evict a chunk before then, when other requests load theirs.
   */
  load(chunks: readonly number[]): Promise<Map<number, Uint8Array>>
}

/** One query term, with every dictionary term it matches and that term's weight. */
export interface TermSpec {
  /** The query term (MiniSearch's source term). */
  term: string
  /** Distinct query-term number: repeated query terms share it (bit `group` of the match mask, up to 31). -1 for an excluded term. */
  group: number
  /** Derived term numbers: the exact term first (when in the dictionary), then prefix, then fuzzy matches. */
  derived: number[]
  weights: number[]
  /** Whether `derived[0]` is the exact term. */
  exact?: boolean
  /** Boost per field id; 0 for a field this term is not searched in (`fields`, or a `field:` scope). Default: the plan's. */
  boosts?: Float64Array
  /** With `exactFirst`: the most each derived term's idf may weigh, per field (row `i * fields + f` for `derived[i]`). */
  idfCap?: Float64Array | null
}

/** Terms that must all match: a word (which may analyze to several terms), or a phrase. */
export interface ClauseSpec {
  specs: TermSpec[]
  /** A phrase of two or more terms: each spec's token offset in the phrase (the first is 0). Null for a word. */
  offsets: number[] | null
}

export interface QueryPlan {
  /** The positive query terms, in query order (empty: nothing to search). */
  terms: string[]
  /** Every positive term spec, in query order (for {@link Engine.explain}). */
  specs: TermSpec[]
  /**
   * AND of groups (when `and`), each the OR of its clauses. A plan built by
   * hand with `specs` and no groups (the flat form of format 2) runs each spec
   * as its own group.
   */
  groups: ClauseSpec[][]
  /** Documents matching any of these are removed. */
  excluded: ClauseSpec[]
  /** AND: every group must match. OR (the relaxed query): any word's term or any phrase. */
  and: boolean
  /** Boost per field id; 0 for a field not searched. */
  boosts: Float64Array
  bm25: { k: number; b: number; d: number }
  /** Exponent of the coordination factor (1: MiniSearch's). */
  coordination?: number
  /** Rank by BM25F and proximity ({@link EngineSearchOptions.bm25f}); null: MiniSearch's rule. */
  bm25f?: Bm25fOptions | null
  /** With a proximity bonus: the pairs it looks at (exact terms of consecutive query words, and their fields). */
  pairs?: ProximityPair[]
  /** Postings chunks the plan reads. */
  chunks: number[]
  /** Positions chunks the plan reads (phrases, and the proximity bonus's pairs). */
  positionChunks: number[]
  /** Set by {@link Engine.load}: the plan's chunks, held for its run whatever the caches evict meanwhile. */
  loaded?: { postings: Map<number, Uint8Array>; positions: Map<number, Uint8Array> }
  /**
   * Set by the engine as it runs the plan: each term's and clause's scored
   * list, shared by the plan's copies (`{ ...plan, and: false }`), so that a
   * query relaxed from AND to OR scores nothing twice. It lives and dies with
   * the plan: a WeakMap in the engine kept the lists (typed arrays, some of
   * 100 KB) until a full collection, and ordinary requests cost 0.4–0.9 ms
   * more CPU for it.
   */
  scored?: Map<TermSpec | ClauseSpec, ScoredMemo>
}

/** A memoised scored list, with the parameters it was scored with. */
interface ScoredMemo {
  bm25: QueryPlan['bm25']
  boosts: Float64Array
  /** Scored for a BM25F plan: matches only, every score 1 ({@link Engine.scoreSpecInto}). */
  bm25f: QueryPlan['bm25f']
  scored: Sparse
}

/** A query clause before planning: analyzed terms, and for a phrase their token offsets. */
export interface ClauseInput {
  terms: string[]
  /** Token offset of each term in a phrase; null for a word (or a one-term phrase, when `exact`). */
  offsets: number[] | null
  /** Exact terms only (no prefix or typo): phrases and exclusions. */
  exact: boolean
  /** Only this field. */
  field?: string
}

export interface PlanInput {
  groups: ClauseInput[][]
  excluded: ClauseInput[]
}

/** Unsorted matches of a query: local document numbers and final scores, index-aligned. */
export interface Matches {
  count: number
  docs: Int32Array
  scores: Float64Array
  /**
   * Per document, the query terms it matched: bit g for the specs of group g
   * (groups from 31 on share bit 31). Absent when a caller rebuilt the
   * scores without it.
   */
  masks?: Uint32Array
}

/** Intermediate result: documents, summed scores, and the mask of query terms matched. */
interface Sparse {
  count: number
  docs: Int32Array
  scores: Float64Array
  masks: Uint32Array
  /** Held by the engine's per-spec memo: whoever would change it in place copies it first. */
  shared?: boolean
}

/** The mask bit of a spec's group: groups from 31 on share bit 31; an excluded spec (group −1) has none. */
function groupBit(spec: TermSpec): number {
  return spec.group < 0 ? 0 : 1 << Math.min(spec.group, 31)
}

/** Two query words the proximity bonus looks at together. */
export interface ProximityPair {
  /** Their exact terms, in query order. */
  terms: [number, number]
  /** Per field, the smaller of the two words' boosts: 0 where either is scoped out (`title:oil prices`: title only). */
  boosts: Float64Array
}

/**
 * The pairs the proximity bonus looks at: the exact terms of consecutive
 * query words (a word's first spec; repeated words once, at their first
 * place), skipping a pair of one term twice. A word not in the dictionary
 * is left out, so the words either side of it pair up.
 */
function proximityPairs(specs: readonly TermSpec[], planBoosts: Float64Array): ProximityPair[] {
  const seen = new Set<number>()
  const exact: TermSpec[] = []
  for (const spec of specs) {
    if (spec.group < 0 || seen.has(spec.group)) continue
    seen.add(spec.group)
    if (spec.exact) exact.push(spec)
  }
  const pairs: ProximityPair[] = []
  for (let i = 0; i + 1 < exact.length; i++) {
    const [a, c] = [exact[i]!, exact[i + 1]!]
    if (a.derived[0] === c.derived[0]) continue
    const boostsA = a.boosts ?? planBoosts
    const boostsC = c.boosts ?? planBoosts
    pairs.push({ terms: [a.derived[0]!, c.derived[0]!], boosts: boostsA.map((boost, f) => Math.min(boost, boostsC[f]!)) })
  }
  return pairs
}

/** A clause that is one term of one word (not a phrase, nor a hyphenated word's several terms): it is scored as its one spec. */
function isSingleWord(clause: ClauseSpec): boolean {
  return clause.specs.length === 1 && !clause.offsets
}

/** A private copy of the first `count` entries. */
function copySparse(s: Sparse): Sparse {
  return { count: s.count, docs: s.docs.slice(0, s.count), scores: s.scores.slice(0, s.count), masks: s.masks.slice(0, s.count) }
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
  /** Positions chunks (`positions/<c>.bin`), for phrases. Without it, a phrase query throws. */
  positions?: PostingsSource
}

/** Bits set in a 32-bit mask. */
function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Walks the postings of one (term, field) with its positions, document by document, forward only. */
class PositionCursor {
  private doc = -1
  private acc = 0
  private tf = 0
  private pending = false
  constructor(
    private readonly post: Uint8Array,
    private postPos: number,
    private readonly postStop: number,
    private readonly pos: Uint8Array,
    private posPos: number,
  ) {}

  /**
   * Moves to the next document of the list and returns its number (Infinity
   * past the end); {@link seek} with that number then gives its positions.
   */
  nextDoc(): number {
    const { post, pos, postStop } = this
    let { postPos, posPos } = this
    if (this.pending) {
      for (let n = 0; n < this.tf; ) if (pos[posPos++]! < 0x80) n++
      this.pending = false
    }
    if (postPos >= postStop) {
      this.posPos = posPos
      return (this.doc = Infinity)
    }
    let byte = post[postPos++]!
    let value = byte & 0x7f
    for (let shift = 128; byte & 0x80; shift *= 128) {
      byte = post[postPos++]!
      value += (byte & 0x7f) * shift
    }
    this.acc += value
    byte = post[postPos++]!
    value = byte & 0x7f
    for (let shift = 128; byte & 0x80; shift *= 128) {
      byte = post[postPos++]!
      value += (byte & 0x7f) * shift
    }
    this.tf = value
    this.pending = true
    this.postPos = postPos
    this.posPos = posPos
    return (this.doc = this.acc)
  }

  /**
   * The positions of document `target` in `out` (their count), or 0 when it
   * has none. Targets must not decrease. Phrases of common words walk whole
   * postings lists here, so the state lives in locals, and the positions of
   * skipped documents are passed over by counting their varints' last bytes
   * (high bit clear) instead of decoding them.
   */
  seek(target: number, out: number[]): number {
    const { post, pos, postStop } = this
    let { postPos, posPos, doc, acc, tf, pending } = this
    while (doc < target) {
      if (pending) {
        for (let n = 0; n < tf; ) if (pos[posPos++]! < 0x80) n++
        pending = false
      }
      if (postPos >= postStop) {
        doc = Infinity
        break
      }
      let byte = post[postPos++]!
      let value = byte & 0x7f
      for (let shift = 128; byte & 0x80; shift *= 128) {
        byte = post[postPos++]!
        value += (byte & 0x7f) * shift
      }
      acc += value
      doc = acc
      byte = post[postPos++]!
      value = byte & 0x7f
      for (let shift = 128; byte & 0x80; shift *= 128) {
        byte = post[postPos++]!
        value += (byte & 0x7f) * shift
      }
      tf = value
      pending = true
    }
    let found = 0
    if (doc === target && pending) {
      let p = 0
      for (let i = 0; i < tf; i++) {
        let byte = pos[posPos++]!
        let value = byte & 0x7f
        for (let shift = 128; byte & 0x80; shift *= 128) {
          byte = pos[posPos++]!
          value += (byte & 0x7f) * shift
        }
        out[i] = p += value
      }
      pending = false
      found = tf
    }
    this.postPos = postPos
    this.posPos = posPos
    this.doc = doc
    this.acc = acc
    this.tf = tf
    this.pending = pending
    return found
  }
}
export class Engine {
  readonly layout: IndexLayout
  readonly dictionary: Dictionary
  readonly docs: DocTable
  readonly postings: PostingsSource
  readonly positions: PostingsSource | undefined
  readonly fields: string[]
  /** Global offset of local document numbers (0 unless a shard). */
  readonly docBase: number
  private readonly chunkFirstTerm: Uint32Array
  private readonly chunkByteStart: Float64Array
  // Scratch, reused by every query: per-term accumulator, query accumulator, stamps.
  private readonly termScore: Float64Array
  /**
   * Stamps of {@link termClock}: 16 bits, where {@link stamp} has 32 (0.4 MB
   * less at 200,000 articles). A term mark is only ever held for one term's
   * scoring, so the clock can wrap (and clear the array) at any tick, where
   * an AND's running mark in `stamp` outlives many term ticks.
   */
  private readonly termStamp: Uint16Array
  private readonly touched: Int32Array
  private readonly stamp: Int32Array
  private readonly denseScore: Float64Array
  private readonly denseMask: Uint32Array
  private readonly list: Int32Array
  /**
   * Parsed positions chunks, keyed by the chunk's bytes: when the positions
   * cache evicts a chunk, its entry goes with it. (Keyed by chunk number, this
   * kept every chunk ever parsed alive past the cache's byte limit: a
   * 100,000-article shard held 34 MiB of buffers after 1,001 queries, its
   * cache 4 MiB.)
   */
  private readonly positionTables = new WeakMap<Uint8Array, { offsets: Uint32Array; data: Uint8Array }>()
  /**
   * BM25's length term `k · (1 − b + b · length / average)` for the last
   * (k, b) used, one table per field indexed by the field's length: computed
   * once instead of per posting (a division and three more operations each; a
   * quarter of the scoring time of long queries). Same operations in the same
   * order, so the scores are bit for bit what they were. Indexed by length,
   * not by document, because lengths repeat: a few KB in all, where a table
   * per (document, field) took 8 bytes each (6.4 MB at 200,000 articles).
   */
  private lengthNorm: { k: number; b: number; byField: Float64Array[] } | null = null
  private clock = 0
  private termClock = 0

  constructor(parts: EngineParts) {
    this.layout = parts.layout
    this.dictionary = parts.terms instanceof Dictionary ? parts.terms : new Dictionary(parts.terms)
    this.docs = parts.docs instanceof DocTable ? parts.docs : new DocTable(parts.docs)
    this.postings = parts.postings
    this.positions = parts.positions
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
    this.termStamp = new Uint16Array(n)
    this.touched = new Int32Array(n)
    this.stamp = new Int32Array(n)
    this.denseScore = new Float64Array(n)
    this.denseMask = new Uint32Array(n)
    this.list = new Int32Array(n)
  }

  /** The postings chunk that holds term t. */
  chunkOf(t: number): number {
    return partOf(this.chunkFirstTerm, t)
  }

  /** Analyzes the query as plain terms (MiniSearch's semantics: every term one AND/OR operand) and expands each. Needs no postings. */
  plan(query: string, options: EngineSearchOptions = {}): QueryPlan {
    const terms = analyze(query).filter((term) => term.length > 0)
    return this.planInput({ groups: terms.map((term) => [{ terms: [term], offsets: null, exact: false }]), excluded: [] }, options)
  }

  /**
   * Plans a query tree in analyzed form: AND of groups, OR of clauses in a
   * group, a clause being a word (its terms ANDed, each with prefix and typo
   * expansion as the options say) or a phrase (exact terms at their offsets).
   * The prefix and fuzzy option functions see every positive term, in order.
   */
  planInput(input: PlanInput, options: EngineSearchOptions = {}): QueryPlan {
    const weights = { ...DEFAULT_WEIGHTS, ...options.weights }
    const maxFuzzy = options.maxFuzzy ?? 6
    const cap = options.maxExpansions ?? MAX_EXPANSIONS
    const dict = this.dictionary
    const F = this.fields.length
    const N = this.layout.documentCount
    const boosts = new Float64Array(F)
    this.fields.forEach((field, f) => {
      if (options.fields && !options.fields.includes(field)) return
      const boost = options.boost && Object.prototype.hasOwnProperty.call(options.boost, field) ? options.boost[field] : undefined
      boosts[f] = boost || 1
    })
    const terms = input.groups.flatMap((group) => group.flatMap((clause) => clause.terms))
    const groupOf = new Map<string, number>()
    const specs: TermSpec[] = []
    let i = 0
    const makeSpec = (term: string, clause: ClauseInput, positive: boolean): TermSpec => {
      const index = positive ? i++ : -1
      let group = -1
      if (positive) {
        group = groupOf.get(term) ?? groupOf.size
        groupOf.set(term, group)
      }
      const fieldBoosts = clause.field === undefined ? boosts : boosts.map((boost, f) => (this.fields[f] === clause.field ? boost : 0))
      const spec: TermSpec = { term, group, derived: [], weights: [], exact: false, boosts: fieldBoosts, idfCap: null }
      const exact = dict.find(term)
      if (exact >= 0) {
        spec.derived.push(exact)
        spec.weights.push(1)
        spec.exact = true
      }
      if (clause.exact || !positive) return spec
      const fuzzyOption = typeof options.fuzzy === 'function' ? options.fuzzy(term, index, terms) : (options.fuzzy ?? false)
      const prefix = typeof options.prefix === 'function' ? options.prefix(term, index, terms) : options.prefix === true
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
      const prefixCount = spec.derived.length - (spec.exact ? 1 : 0)
      if (fuzzyOption) {
        const fuzzy = fuzzyOption === true ? 0.2 : fuzzyOption
        const maxDistance = fuzzy < 1 ? Math.min(maxFuzzy, Math.round(term.length * fuzzy)) : fuzzy
        if (maxDistance) {
          const candidates: number[] = []
          const distances = new Map<number, number>()
          dict.fuzzy(
            term,
            maxDistance,
            (t, distance) => {
              if (distance === 0 || (t >= lo && t < hi)) return
              candidates.push(t)
              distances.set(t, distance)
            },
            options.firstTypoCost,
          )
          for (const t of this.capped(candidates, cap)) {
            const length = dict.termLength(t)
            spec.derived.push(t)
            spec.weights.push((weights.fuzzy * length) / (length + distances.get(t)!))
          }
        }
      }
      if (options.exactFirst && spec.derived.length > (spec.exact ? 1 : 0)) spec.idfCap = this.derivedIdfCaps(spec, prefixCount, F, N)
      return spec
    }
    const toClause = (clause: ClauseInput, positive: boolean): ClauseSpec => {
      const clauseSpecs = clause.terms.map((term) => makeSpec(term, clause, positive))
      if (positive) specs.push(...clauseSpecs)
      return { specs: clauseSpecs, offsets: clause.offsets && clause.offsets.length > 1 ? clause.offsets : null }
    }
    const groups = input.groups.map((group) => group.map((clause) => toClause(clause, true)))
    const excluded = input.excluded.map((clause) => toClause(clause, false))
    const chunks = new Set<number>()
    const positionChunks = new Set<number>()
    for (const clause of [...groups.flat(), ...excluded]) {
      for (const spec of clause.specs) {
        for (const t of spec.derived) chunks.add(this.chunkOf(t))
        if (clause.offsets) for (const t of spec.derived) positionChunks.add(this.chunkOf(t))
      }
    }
    const bm25f = options.bm25f ?? null
    const pairs = bm25f?.proximity && this.positions ? proximityPairs(specs, boosts).slice(0, bm25f.proximity.maxPairs) : []
    for (const pair of pairs) for (const t of pair.terms) positionChunks.add(this.chunkOf(t))
    const combineWith = (options.combineWith ?? 'OR').toUpperCase()
    if (combineWith !== 'AND' && combineWith !== 'OR') throw new Error(`Invalid combination operator: ${options.combineWith}`)
    return {
      terms,
      specs,
      groups,
      excluded,
      and: combineWith === 'AND',
      boosts,
      bm25: { ...DEFAULT_BM25, ...options.bm25 },
      coordination: options.coordination ?? 1,
      bm25f,
      pairs,
      chunks: [...chunks].sort((a, b) => a - b),
      positionChunks: [...positionChunks].sort((a, b) => a - b),
    }
  }

  /**
   * The `exactFirst` caps of a spec's derived terms (see the option), per derived term and field:
   * - the exact term: no cap;
   * - every derived term: at most the exact term's idf (when the word is not in the dictionary, that of its most
   *   common derived term stands in);
   * - a prefix completion also: at most the idf of the most common completion, so that while someone types "expo"
   *   a rare completion ("expos", "exposure") does not outweigh the common one ("export") by its rarity alone.
   */
  private derivedIdfCaps(spec: TermSpec, prefixCount: number, F: number, N: number): Float64Array {
    const dict = this.dictionary
    const idfOf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5))
    const first = spec.exact ? 1 : 0
    const caps = new Float64Array(spec.derived.length * F)
    for (let f = 0; f < F; f++) {
      let commonest = 0
      let commonestPrefix = 0
      for (let i = first; i < spec.derived.length; i++) {
        const df = dict.df[spec.derived[i]! * F + f]!
        commonest = Math.max(commonest, df)
        if (i < first + prefixCount) commonestPrefix = Math.max(commonestPrefix, df)
      }
      const exactCap = idfOf(spec.exact ? dict.df[spec.derived[0]! * F + f]! : commonest)
      const prefixCap = Math.min(exactCap, idfOf(commonestPrefix))
      for (let i = 0; i < spec.derived.length; i++) caps[i * F + f] = i < first ? Infinity : i < first + prefixCount ? prefixCap : exactCap
    }
    return caps
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

  /** A new mark for {@link stamp}. */
  private tick(): number {
    if (this.clock >= 0x3fffffff) {
      this.clock = 0
      this.stamp.fill(0)
    }
    return ++this.clock
  }

  /** A new mark for {@link termStamp}. */
  private termTick(): number {
    if (this.termClock === 0xffff) {
      this.termClock = 0
      this.termStamp.fill(0)
    }
    return ++this.termClock
  }

  /** The bytes of the chunk of term t, and the global byte offset where that chunk starts. */
  private chunkBytes(t: number, plan: QueryPlan): { bytes: Uint8Array; base: number } {
    const c = this.chunkOf(t)
    const bytes = plan.loaded?.postings.get(c) ?? this.postings.get(c)
    if (!bytes) throw new Error(`postings chunk ${c} is not loaded`)
    return { bytes, base: this.chunkByteStart[c]! }
  }

  /** The positions chunk of term t: its offset table and data. */
  private positionsOf(t: number, plan: QueryPlan): { offsets: Uint32Array; data: Uint8Array; first: number } {
    const c = this.chunkOf(t)
    const bytes = plan.loaded?.positions.get(c) ?? this.positions?.get(c)
    if (!bytes) throw new Error(`positions chunk ${c} is not loaded`)
    let parsed = this.positionTables.get(bytes)
    if (!parsed) {
      const table = readOffsetTable(bytes, POSITIONS_LAYOUT.headerWords, POSITIONS_MAGIC)
      if (!table) throw new Error(`positions chunk ${c}: not positions of format version ${FORMAT_VERSION}`)
      parsed = { offsets: table.offsets, data: table.data }
      this.positionTables.set(bytes, parsed)
    }
    return { offsets: parsed.offsets, data: parsed.data, first: this.chunkFirstTerm[c]! }
  }

  /** The memoised scores of a spec or clause for this plan's BM25 parameters and boosts, if any ({@link QueryPlan.scored}). */
  private memoOf(key: TermSpec | ClauseSpec, plan: QueryPlan): Sparse | null {
    const memo = plan.scored?.get(key)
    return memo && memo.bm25 === plan.bm25 && memo.boosts === plan.boosts && memo.bm25f === plan.bm25f ? memo.scored : null
  }

  /** Memoises a shared scored list in the plan. */
  private remember(key: TermSpec | ClauseSpec, plan: QueryPlan, scored: Sparse): Sparse {
    scored.shared = true
    ;(plan.scored ??= new Map()).set(key, { bm25: plan.bm25, boosts: plan.boosts, bm25f: plan.bm25f, scored })
    return scored
  }

  /** Scores one term spec over its derived terms and fields; the result is shared (see {@link Sparse.shared}). */
  private evalSpec(spec: TermSpec, plan: QueryPlan): Sparse {
    const memo = this.memoOf(spec, plan)
    if (memo) return memo
    return this.remember(spec, plan, this.scoreSpec(spec, plan))
  }

  /** {@link lengthNorm} for (k, b): per field, the term for each length from 0 to the field's longest. */
  private lengthNormOf(k: number, b: number): Float64Array[] {
    if (this.lengthNorm?.k === k && this.lengthNorm.b === b) return this.lengthNorm.byField
    const F = this.fields.length
    const avg = this.layout.averageFieldLength
    const fieldLength = this.docs.fieldLength
    const longest = new Array<number>(F).fill(0)
    for (let i = 0; i < fieldLength.length; i++) if (fieldLength[i]! > longest[i % F]!) longest[i % F] = fieldLength[i]!
    const byField = longest.map((max, f) => {
      const values = new Float64Array(max + 1)
      for (let length = 0; length <= max; length++) values[length] = k * (1 - b + (b * length) / avg[f]!)
      return values
    })
    this.lengthNorm = { k, b, byField }
    return byField
  }

  /**
   * Scores one term spec into the scratch arrays: `termScore[doc]` for the
   * `touched[0 .. count)` documents, which are also those with
   * `termStamp[doc] === this.termClock` after the call (it ticks that clock once).
   * Returns the count. The scratch is only valid until the next call.
   * With `only` ≥ 0, scores just the documents with `stamp[doc] === only`
   * (an AND's running result): the others' postings are decoded, not scored.
   * For a BM25F plan every posting scores 1: {@link rescore} scores the
   * matches afresh, so BM25+ here would be thrown away (about 4 % of the
   * CPU of the costliest requests, measured in process).
   */
  private scoreSpecInto(spec: TermSpec, plan: QueryPlan, only = -1): number {
    const dict = this.dictionary
    const F = this.fields.length
    const N = this.layout.documentCount
    const { k, b, d } = plan.bm25
    const boosts = spec.boosts ?? plan.boosts
    const norm = this.lengthNormOf(k, b)
    const lengths = this.docs.fieldLength
    const matchOnly = plan.bm25f != null
    const { termScore, termStamp, touched, stamp } = this
    const specMark = this.termTick()
    let touchedCount = 0
    for (let i = 0; i < spec.derived.length; i++) {
      const t = spec.derived[i]!
      const weight = spec.weights[i]!
      const capIdf = spec.idfCap
      const capRow = i * F
      const { bytes, base } = this.chunkBytes(t, plan)
      for (let f = 0; f < F; f++) {
        const start = dict.postStart[t * F + f]!
        const end = dict.postStart[t * F + f + 1]!
        if (start === end || boosts[f] === 0) continue
        const df = dict.df[t * F + f]!
        let idf = Math.log(1 + (N - df + 0.5) / (df + 0.5))
        if (capIdf && idf > capIdf[capRow + f]!) idf = capIdf[capRow + f]!
        const scale = weight * boosts[f]!
        let pos = start - base
        const stop = end - base
        const fieldNorm = norm[f]!
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
          if (only >= 0 && stamp[doc] !== only) continue
          // calcBM25Score of MiniSearch, operation for operation.
          const score = matchOnly ? 1 : scale * (idf * (d + (tf * (k + 1)) / (tf + fieldNorm[lengths[doc * F + f]!]!)))
          if (termStamp[doc] !== specMark) {
            termStamp[doc] = specMark
            termScore[doc] = score
            touched[touchedCount++] = doc
          } else termScore[doc]! += score
        }
      }
    }
    return touchedCount
  }

  private scoreSpec(spec: TermSpec, plan: QueryPlan): Sparse {
    const touchedCount = this.scoreSpecInto(spec, plan)
    const { termScore, touched } = this
    const out: Sparse = { count: touchedCount, docs: touched.slice(0, touchedCount), scores: new Float64Array(touchedCount), masks: new Uint32Array(touchedCount) }
    const bit = groupBit(spec)
    for (let i = 0; i < touchedCount; i++) {
      out.scores[i] = termScore[out.docs[i]!]!
      out.masks[i] = bit
    }
    return out
  }

  /** Keeps the documents of `a` that are in `b`, adding b's scores and masks (in place in a). */
  private intersect(a: Sparse, b: Sparse): Sparse {
    if (a.shared) a = copySparse(a)
    const { stamp, denseScore, denseMask } = this
    const mark = this.tick()
    for (let i = 0; i < b.count; i++) {
      const doc = b.docs[i]!
      stamp[doc] = mark
      denseScore[doc] = b.scores[i]!
      denseMask[doc] = b.masks[i]!
    }
    let kept = 0
    for (let i = 0; i < a.count; i++) {
      const doc = a.docs[i]!
      if (stamp[doc] !== mark) continue
      a.docs[kept] = doc
      a.scores[kept] = a.scores[i]! + denseScore[doc]!
      a.masks[kept] = a.masks[i]! | denseMask[doc]!
      kept++
    }
    a.count = kept
    return a
  }

  /**
   * Every document of any of the items (results, or specs to score), scores
   * summed and masks joined, in item order. A spec is folded in straight from
   * the scratch arrays of {@link scoreSpecInto}: no per-spec result is
   * allocated and copied, which for an OR of twenty common words was a fifth
   * of the query's time and most of its garbage. Such specs are not memoised
   * (a later relaxation scores them again); memoised ones are folded from the
   * memo.
   */
  private unionOf(items: readonly (TermSpec | Sparse)[], plan: QueryPlan): Sparse {
    if (items.length === 1) {
      const only = items[0]!
      return 'derived' in only ? this.evalSpec(only, plan) : only
    }
    const { stamp, denseScore, denseMask, list, termScore, touched } = this
    const mark = this.tick()
    let count = 0
    for (const item of items) {
      const s = 'derived' in item ? this.memoOf(item, plan) : item
      if (s) {
        for (let i = 0; i < s.count; i++) {
          const doc = s.docs[i]!
          if (stamp[doc] !== mark) {
            stamp[doc] = mark
            denseScore[doc] = s.scores[i]!
            denseMask[doc] = s.masks[i]!
            list[count++] = doc
          } else {
            denseScore[doc]! += s.scores[i]!
            denseMask[doc]! |= s.masks[i]!
          }
        }
        continue
      }
      const spec = item as TermSpec
      const bit = groupBit(spec)
      const n = this.scoreSpecInto(spec, plan)
      for (let i = 0; i < n; i++) {
        const doc = touched[i]!
        if (stamp[doc] !== mark) {
          stamp[doc] = mark
          denseScore[doc] = termScore[doc]!
          denseMask[doc] = bit
          list[count++] = doc
        } else {
          denseScore[doc]! += termScore[doc]!
          denseMask[doc]! |= bit
        }
      }
    }
    const out: Sparse = { count, docs: list.slice(0, count), scores: new Float64Array(count), masks: new Uint32Array(count) }
    for (let i = 0; i < count; i++) {
      out.scores[i] = denseScore[out.docs[i]!]!
      out.masks[i] = denseMask[out.docs[i]!]!
    }
    return out
  }

  /**
   * {@link intersect} of `a` with the spec's {@link evalSpec}, same
   * arithmetic, but scored into the scratch arrays rather than a list of its
   * own (unless memoised): an AND of twenty common words allocated 3–4 MB of
   * such lists a request, and the garbage collections they caused doubled
   * the request's CPU in workerd.
   */
  private intersectSpec(a: Sparse, spec: TermSpec, plan: QueryPlan): Sparse {
    const memo = this.memoOf(spec, plan)
    if (memo) return this.intersect(a, memo)
    if (a.shared) a = copySparse(a)
    // Score only the documents still in the running result.
    const only = this.tick()
    for (let i = 0; i < a.count; i++) this.stamp[a.docs[i]!] = only
    this.scoreSpecInto(spec, plan, only)
    const mark = this.termClock // the mark scoreSpecInto stamped its documents with
    const { termStamp, termScore } = this
    const bit = groupBit(spec)
    let kept = 0
    for (let i = 0; i < a.count; i++) {
      const doc = a.docs[i]!
      if (termStamp[doc] !== mark) continue
      a.docs[kept] = doc
      a.scores[kept] = a.scores[i]! + termScore[doc]!
      a.masks[kept] = a.masks[i]! | bit
      kept++
    }
    a.count = kept
    return a
  }

  /**
   * A clause: the AND of its terms, then for a phrase the position check.
   * Memoised and shared like a spec's scores: a relaxed AND of phrases would
   * otherwise check every phrase's positions twice.
   */
  private evalClause(clause: ClauseSpec, plan: QueryPlan): Sparse {
    const memo = this.memoOf(clause, plan)
    if (memo) return memo
    let result = this.evalSpec(clause.specs[0]!, plan)
    for (let s = 1; s < clause.specs.length && result.count > 0; s++) result = this.intersectSpec(result, clause.specs[s]!, plan)
    if (clause.offsets && result.count > 0) result = this.phraseFilter(clause, result, plan)
    return this.remember(clause, plan, result)
  }

  /**
   * Keeps the documents where the phrase's terms stand at their offsets from
   * one another, in one field (any searched field).
   */
  private phraseFilter(clause: ClauseSpec, result: Sparse, plan: QueryPlan): Sparse {
    if (result.shared) result = copySparse(result)
    const offsets = clause.offsets!
    const F = this.fields.length
    const dict = this.dictionary
    const K = clause.specs.length
    // Documents in ascending order, for the forward-only cursors (a numeric
    // sort of a copy, no comparator); the kept ones are stamped.
    const sorted = result.docs.slice(0, result.count).sort()
    const { stamp } = this
    const keepMark = this.tick()
    const lists: number[][] = Array.from({ length: K }, () => [])
    const lengths = new Int32Array(K)
    for (let f = 0; f < F; f++) {
      if ((clause.specs[0]!.boosts ?? plan.boosts)[f] === 0) continue
      const cursors: PositionCursor[] = []
      for (const spec of clause.specs) {
        const t = spec.derived[0]!
        const { bytes, base } = this.chunkBytes(t, plan)
        const { offsets: table, data, first } = this.positionsOf(t, plan)
        const start = dict.postStart[t * F + f]!
        const end = dict.postStart[t * F + f + 1]!
        cursors.push(new PositionCursor(bytes, start - base, end - base, data, table[(t - first) * F + f]!))
      }
      docs: for (let o = 0; o < sorted.length; o++) {
        const doc = sorted[o]!
        let present = true
        // Advance every cursor (they are forward-only), even past a miss.
        for (let s = 0; s < K; s++) if ((lengths[s] = cursors[s]!.seek(doc, lists[s]!)) === 0) present = false
        if (!present || stamp[doc] === keepMark) continue
        const anchor = lists[0]!
        for (let a = 0; a < lengths[0]!; a++) {
          const start = anchor[a]! - offsets[0]!
          let all = true
          for (let s = 1; s < K && all; s++) {
            const want = start + offsets[s]!
            const list = lists[s]!
            let found = false
            for (let j = 0; j < lengths[s]!; j++) if (list[j] === want) { found = true; break }
            all = found
          }
          if (all) {
            stamp[doc] = keepMark
            continue docs
          }
        }
      }
    }
    let kept = 0
    for (let i = 0; i < result.count; i++) {
      if (stamp[result.docs[i]!] !== keepMark) continue
      result.docs[kept] = result.docs[i]!
      result.scores[kept] = result.scores[i]!
      result.masks[kept] = result.masks[i]!
      kept++
    }
    result.count = kept
    return result
  }

  /** Scores a plan whose chunks (and, for phrases, positions chunks) are loaded. */
  execute(plan: QueryPlan): Matches {
    let result: Sparse | null = null
    const groups = plan.groups.length || !plan.specs.length ? plan.groups : plan.specs.map((spec) => [{ specs: [spec], offsets: null }])
    if (plan.and) {
      for (const group of groups) {
        if (result && group.length === 1 && isSingleWord(group[0]!)) {
          // One word: filter the running result by its scratch scores, no list of its own.
          result = this.intersectSpec(result, group[0]!.specs[0]!, plan)
        } else {
          const matched = this.unionOf(group.map((clause) => (isSingleWord(clause) ? clause.specs[0]! : this.evalClause(clause, plan))), plan)
          result = result ? this.intersect(result, matched) : matched
        }
        if (result.count === 0) break
      }
    } else {
      // Relaxed: any term of any word, or any whole phrase.
      const units = groups.flat().flatMap((clause): (TermSpec | Sparse)[] => (clause.offsets ? [this.evalClause(clause, plan)] : clause.specs))
      if (units.length) result = this.unionOf(units, plan)
    }
    if (!result || result.count === 0) return { count: 0, docs: new Int32Array(0), scores: new Float64Array(0), masks: new Uint32Array(0) }
    const excludedMark = plan.excluded.length ? this.markExcluded(plan) : -1
    // In place, unless the result is a memo another plan may read: a union of twenty common words is 20,000 documents.
    const own = !result.shared
    const docsOut = own ? result.docs : new Int32Array(result.count)
    const scores = own ? result.scores : new Float64Array(result.count)
    const masks = own ? result.masks : new Uint32Array(result.count)
    let count = 0
    const coordination = plan.coordination ?? 1
    // matched^coordination for every possible count of matched groups (masks hold 32 bits): a table, not a Math.pow per document.
    const factor = new Float64Array(33)
    for (let q = 0; q <= 32; q++) factor[q] = coordination === 1 ? q : Math.pow(q, coordination)
    for (let i = 0; i < result.count; i++) {
      const doc = result.docs[i]!
      if (this.stamp[doc] === excludedMark) continue
      docsOut[count] = doc
      masks[count] = result.masks[i]!
      scores[count++] = result.scores[i]! * factor[popcount(result.masks[i]!)]!
    }
    const matches = { count, docs: docsOut.subarray(0, count), scores: scores.subarray(0, count), masks: masks.subarray(0, count) }
    return plan.bm25f ? this.rescore(plan, plan.bm25f, matches) : matches
  }

  /**
   * The matches' scores by BM25F and the proximity bonus ({@link Bm25fOptions}),
   * in place of the sum of per-field BM25+ that matched them: the same
   * documents and masks, so AND, OR, phrases, exclusions and filters are
   * untouched; only the order changes.
   */
  private rescore(plan: QueryPlan, options: Bm25fOptions, matches: Matches): Matches {
    const dict = this.dictionary
    const F = this.fields.length
    const N = this.layout.documentCount
    const { k } = options
    const apart = this.fields.map((field) => options.apart.includes(field))
    // Document → its index in matches, in the union's scratch list (free once execute has its matches; no new
    // array per document at 100k articles a shard). Stale entries are told apart by checking matches.docs back.
    const slot = this.list
    const matched = matches.docs
    const count = matches.count
    for (let i = 0; i < count; i++) slot[matched[i]!] = i
    const scores = new Float64Array(matches.count)
    const { termScore: pseudoTf, termStamp, touched } = this
    const idfOf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5))
    /** A term's idf over the text fields: from its largest per-field df, corpus-wide. */
    const textIdf = (t: number) => {
      let df = 0
      for (let f = 0; f < F; f++) if (!apart[f] && dict.df[t * F + f]! > df) df = dict.df[t * F + f]!
      return idfOf(df)
    }
    let touchedCount = 0
    /** Adds `weight · tf~ (k + 1) / (k + tf~)` of the touched documents to their scores. */
    const saturate = (weight: number) => {
      for (let j = 0; j < touchedCount; j++) {
        const doc = touched[j]!
        const x = pseudoTf[doc]!
        scores[slot[doc]!]! += (weight * x * (k + 1)) / (k + x)
      }
    }
    let lastGroup = -1
    for (const spec of plan.specs) if (spec.group > lastGroup) lastGroup = spec.group
    const bm25 = plan.bm25
    const norm = this.lengthNormOf(bm25.k, bm25.b)
    const lengths = this.docs.fieldLength
    for (const spec of plan.specs) {
      if (spec.group < 0 || spec.derived.length === 0) continue
      const boosts = spec.boosts ?? plan.boosts
      let cap = Infinity
      if (spec.exact) cap = textIdf(spec.derived[0]!)
      else for (const t of spec.derived) cap = Math.min(cap, textIdf(t))
      const merged = spec.group === lastGroup
      let mark = this.termTick()
      touchedCount = 0
      for (let i = 0; i < spec.derived.length; i++) {
        const t = spec.derived[i]!
        const weight = spec.weights[i]!
        const idfText = textIdf(t)
        if (!merged && i > 0) {
          mark = this.termTick()
          touchedCount = 0
        }
        const { bytes, base } = this.chunkBytes(t, plan)
        for (let f = 0; f < F; f++) {
          const start = dict.postStart[t * F + f]!
          const end = dict.postStart[t * F + f + 1]!
          if (start === end || boosts[f] === 0) continue
          let pos = start - base
          const stop = end - base
          let doc = 0
          const fieldNorm = norm[f]!
          // A field apart: the plan's BM25+, as scoreSpecInto has it. A text field: its share of the pseudo-frequency,
          // 1 / (1 − b + b · len / avg) = k / lengthNorm, from the table the first pass filled (same k and b).
          const isApart = apart[f]!
          let apartScale = 0
          if (isApart) {
            // At most the word's idf in the text: "oil" is rare among topic labels (veg-oil, palm-oil…) but not in
            // the stories, and a label's rarity alone should not outweigh the text (Reuters P@10 0.936 → 0.941).
            let idf = Math.min(idfOf(dict.df[t * F + f]!), idfText)
            if (spec.idfCap && idf > spec.idfCap[i * F + f]!) idf = spec.idfCap[i * F + f]!
            apartScale = weight * boosts[f]! * idf
          }
          const scale = (merged ? weight : 1) * boosts[f]! * bm25.k
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
            const s = slot[doc]!
            if (s >= count || matched[s] !== doc) continue
            if (isApart) {
              scores[s]! += apartScale * (bm25.d + (tf * (bm25.k + 1)) / (tf + fieldNorm[lengths[doc * F + f]!]!))
              continue
            }
            if (termStamp[doc] !== mark) {
              termStamp[doc] = mark
              pseudoTf[doc] = 0
              touched[touchedCount++] = doc
            }
            pseudoTf[doc]! += (scale * tf) / fieldNorm[lengths[doc * F + f]!]!
          }
        }
        if (!merged) saturate(weight * Math.min(idfText, cap))
      }
      // The last word's variants: one pseudo-term, the exact term's idf (else the commonest variant's).
      if (merged) saturate(cap)
    }
    if (options.proximity && plan.pairs?.length) this.addProximity(plan, options.proximity, matches, scores)
    return { count: matches.count, docs: matches.docs, scores, masks: matches.masks }
  }

  /** Adds the proximity bonus ({@link ProximityOptions}) of every matched document to `scores` (index-aligned with matches). */
  private addProximity(plan: QueryPlan, options: ProximityOptions, matches: Matches, scores: Float64Array): void {
    const dict = this.dictionary
    const F = this.fields.length
    const N = this.layout.documentCount
    const avg = this.layout.averageFieldLength
    const fieldLength = this.docs.fieldLength
    const { ordered, unordered, orderedSpan, window, k, b, maxDf } = options
    const slot = this.list // as rescore left it: document → index in matches
    const matched = matches.docs
    const count = matches.count
    const first: number[] = []
    const second: number[] = []
    for (const { terms: [a, c], boosts } of plan.pairs!) {
      for (let f = 0; f < F; f++) {
        const boost = boosts[f]!
        const dfA = dict.df[a * F + f]!
        const dfC = dict.df[c * F + f]!
        const rarer = Math.min(dfA, dfC)
        if (boost === 0 || rarer === 0 || rarer > maxDf * N) continue
        const idf = Math.log(1 + (N - rarer + 0.5) / (rarer + 0.5))
        const [cursorA, cursorC] = [a, c].map((t) => {
          const { bytes, base } = this.chunkBytes(t, plan)
          const { offsets: table, data, first: firstTerm } = this.positionsOf(t, plan)
          return new PositionCursor(bytes, dict.postStart[t * F + f]! - base, dict.postStart[t * F + f + 1]! - base, data, table[(t - firstTerm) * F + f]!)
        }) as [PositionCursor, PositionCursor]
        // The rarer word's list drives; the other's cursor seeks forward to each of its documents (the lead's own
        // seek to the document it is on gives that document's positions).
        const lead = dfA <= dfC ? cursorA : cursorC
        const average = avg[f]!
        for (let doc = lead.nextDoc(); doc !== Infinity; doc = lead.nextDoc()) {
          const s = slot[doc]!
          if (s >= count || matched[s] !== doc) continue
          const countA = cursorA.seek(doc, first)
          const countC = cursorC.seek(doc, second)
          if (countA === 0 || countC === 0) continue
          let inOrder = 0
          let near = 0
          for (let x = 0; x < countA; x++) {
            let isOrdered = false
            let isNear = false
            for (let y = 0; y < countC; y++) {
              const gap = second[y]! - first[x]!
              if (gap > 0 && gap <= orderedSpan) isOrdered = true
              if (gap !== 0 && gap <= window && gap >= -window) isNear = true
            }
            if (isOrdered) inOrder++
            if (isNear) near++
          }
          const norm = k * (1 - b + (b * fieldLength[doc * F + f]!) / average)
          let bonus = 0
          if (inOrder) bonus += (ordered * idf * inOrder * (k + 1)) / (inOrder + norm)
          if (near) bonus += (unordered * idf * near * (k + 1)) / (near + norm)
          scores[s]! += boost * bonus
        }
      }
    }
  }

  /** Documents matching any of the plan's excluded clauses (local numbers, ascending), for browsing with exclusions. */
  excludedDocs(plan: QueryPlan): Int32Array {
    if (plan.excluded.length === 0) return new Int32Array(0)
    const mark = this.markExcluded(plan)
    const { stamp } = this
    const docs: number[] = []
    for (let doc = 0; doc < this.docs.count; doc++) if (stamp[doc] === mark) docs.push(doc)
    return Int32Array.from(docs)
  }

  /**
   * Stamps every document that an excluded clause matches with a new mark,
   * and returns the mark. An excluded word needs no scores: its postings are
   * only decoded, where scoring them allocated a scored list per word (a
   * common word minus thirty common words made 2 MB of garbage a request,
   * and its collections doubled the request's CPU now and then). Phrases and
   * words of several terms are evaluated as clauses first, since that work
   * reuses the stamps.
   */
  private markExcluded(plan: QueryPlan): number {
    const F = this.fields.length
    const clauses = plan.excluded.filter((clause) => !isSingleWord(clause)).map((clause) => this.evalClause(clause, plan))
    const mark = this.tick()
    const { stamp, touched } = this
    for (const clause of clauses) for (let i = 0; i < clause.count; i++) stamp[clause.docs[i]!] = mark
    for (const clause of plan.excluded) {
      if (!isSingleWord(clause)) continue
      const spec = clause.specs[0]!
      const boosts = spec.boosts ?? plan.boosts
      for (const t of spec.derived) {
        for (let f = 0; f < F; f++) {
          if (boosts[f] === 0) continue
          const count = this.postingDocs(t, f, plan)
          for (let i = 0; i < count; i++) stamp[touched[i]!] = mark
        }
      }
    }
    return mark
  }

  /**
   * Decodes the document numbers of the postings of (t, f) into the
   * `touched` scratch, skipping the term frequencies, and returns their
   * count: for the passes that need no scores (exclusions, explain). The
   * scratch holds them until the next call or scoring.
   */
  private postingDocs(t: number, f: number, plan: QueryPlan): number {
    const F = this.fields.length
    const dict = this.dictionary
    const { bytes, base } = this.chunkBytes(t, plan)
    const { touched } = this
    let pos = dict.postStart[t * F + f]! - base
    const stop = dict.postStart[t * F + f + 1]! - base
    let doc = 0
    let count = 0
    while (pos < stop) {
      // A posting is two varints, the document delta and the term frequency: read the first, skip the second.
      let byte = bytes[pos++]!
      let delta = byte & 0x7f
      for (let shift = 128; byte & 0x80; shift *= 128) {
        byte = bytes[pos++]!
        delta += (byte & 0x7f) * shift
      }
      while (bytes[pos++]! & 0x80);
      doc += delta
      touched[count++] = doc
    }
    return count
  }

  /** Plans, loads the chunks the plan needs, and scores. */
  async match(query: string, options: EngineSearchOptions = {}): Promise<{ plan: QueryPlan; matches: Matches }> {
    const plan = this.plan(query, options)
    await this.load(plan)
    return { plan, matches: this.execute(plan) }
  }

  /** Loads the postings (and positions) chunks a plan reads. */
  async load(plan: QueryPlan): Promise<void> {
    if (plan.positionChunks.length && !this.positions) throw new Error('phrase queries need the positions chunks (EngineParts.positions)')
    const [postings, positions] = await Promise.all([
      this.postings.load(plan.chunks),
      plan.positionChunks.length ? this.positions!.load(plan.positionChunks) : new Map<number, Uint8Array>(),
    ])
    plan.loaded = { postings, positions }
  }

  /**
   * Indexes into `matches` of the best `k` that pass `keep` (local document
   * number → boolean), by score descending, then document number ascending;
   * with `order` `date`, by document number ascending (newest first).
   */
  rank(matches: Matches, k = Infinity, keep?: (doc: number) => boolean, order: 'score' | 'date' = 'score'): Int32Array {
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
    const before = order === 'date' ? (i: number, j: number) => docs[i]! - docs[j]! : (i: number, j: number) => scores[j]! - scores[i]! || docs[i]! - docs[j]!
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
    const byDate = order === 'date'
    for (let p = 0; p < picked.length; p++) {
      const i = picked[p]!
      if (size < k) {
        heap[size++] = i
        siftUp(size - 1)
        continue
      }
      // Most documents lose to the worst kept one on the score (or date) alone: no comparator call for them.
      const root = heap[0]!
      if (byDate ? docs[i]! > docs[root]! : scores[i]! < scores[root]!) continue
      if (worse(root, i)) {
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
    // Mark the wanted documents in the dense stamp array: a posting of any other document costs one array read, not a Map lookup.
    const { stamp, touched } = this
    const wanted = this.tick()
    for (const doc of localDocs) stamp[doc] = wanted
    for (const spec of plan.specs) {
      for (const t of spec.derived) {
        let name: string | undefined
        for (let f = 0; f < F; f++) {
          if ((spec.boosts ?? plan.boosts)[f] === 0) continue
          const count = this.postingDocs(t, f, plan)
          for (let i = 0; i < count; i++) {
            const doc = touched[i]!
            if (stamp[doc] !== wanted) continue
            const entry = out.get(doc)!
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

  /**
   * For snippets and highlights: the dictionary terms each of `localDocs` may
   * have matched, with `masks[i]` the {@link Matches.masks} entry of
   * `localDocs[i]`. Read off the masks, with no postings to decode: a
   * document whose mask has a spec's bit gets all of that spec's terms (the
   * exact term and its typo and prefix variants). That is a superset of what
   * {@link explain} gives, but only by terms the document does not contain:
   * a spec that searches every field matched each of its terms that the
   * document has. So the text marks the same words. Specs scoped to some
   * fields, or past the 31 bits of a mask, are explained from their postings
   * (where, for an OR of twenty common words, a second decoding cost about
   * 1 ms of workerd CPU).
   */
  matchedTerms(plan: QueryPlan, localDocs: readonly number[], masks: readonly number[]): Map<number, Set<string>> {
    const out = new Map<number, Set<string>>()
    for (const doc of localDocs) out.set(doc, new Set())
    const explained: TermSpec[] = []
    for (const spec of plan.specs) {
      if (spec.derived.length === 0) continue
      if (spec.group < 0 || spec.group >= 31 || !(spec.boosts ?? plan.boosts).every((boost) => boost > 0)) {
        explained.push(spec)
        continue
      }
      const bit = 1 << spec.group
      const names = spec.derived.map((t) => this.dictionary.term(t))
      for (let i = 0; i < localDocs.length; i++) {
        if (!(masks[i]! & bit)) continue
        const terms = out.get(localDocs[i]!)!
        for (const name of names) terms.add(name)
      }
    }
    if (explained.length > 0) {
      const details = this.explain({ ...plan, specs: explained }, localDocs)
      for (const doc of localDocs) {
        const terms = out.get(doc)!
        for (const name of details.get(doc)!.terms) terms.add(name)
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
    load: async (wanted) => new Map(wanted.flatMap((chunk) => (chunks[chunk] ? [[chunk, chunks[chunk]!] as const] : []))),
  }
}
