/**
 * `GET /suggest`: completions as you type, from the index's own vocabulary
 * and titles.
 *
 * Rules:
 * - The query is split into words as the index splits text. The **last word
 *   is a prefix** (unless `prefix` is false or the query ends in a space or
 *   other non-word character): it is completed from the dictionary, over the
 *   stems that start with the typed word or with its stem ("pri" → price,
 *   prior, primari; "prices" → price, priced).
 * - Candidates are the {@link CANDIDATES} stems with the highest document
 *   frequency in title, summary and body, plus any stem that the typed word
 *   runs past while its surface form still starts with it ("convertibl" →
 *   `convert`, shown "convertible"). With earlier words, they are
 *   re-ranked by how many titles hold them together with the earlier words
 *   (co-occurrence), then by document frequency: "oil pri" puts "oil prices"
 *   before "oil prior".
 * - A completion is shown in its most frequent surface form (the lexicon
 *   built at build time: `price` → "prices"), after the earlier words as
 *   typed. If the typed last word already is that stem, it is kept as typed.
 * - Earlier words missing from the dictionary (typos) are replaced by their
 *   correction in the suggestion text (`vocabulary.ts`). If no stem starts
 *   with the last word, it is corrected instead of completed. With
 *   `prefix=false` nothing is completed: the only query suggestion is the
 *   corrected query, when a word needed correcting.
 * - Title suggestions: articles whose title holds every word (stems, typos
 *   corrected), the last one as one of the best {@link TITLE_CANDIDATES}
 *   completions when completing. Titles are grouped by the completion they
 *   hold, in the order of the query suggestions ("oil pri": titles with
 *   "prices" first), then by BM25 over the title; repeated titles (same
 *   text, any case) are dropped. A word found nowhere means no title matches.
 * - Query suggestions come first, at most half of `limit` when there are
 *   titles to show; titles fill the rest, then queries again if titles run out.
 *
 * The work is dictionary walks plus title postings only (the smallest field):
 * it is planned on the dictionary ({@link planSuggest}), the chunks it needs
 * are loaded, and it is finished synchronously ({@link rankSuggest}).
 *
 * @example
 * ```ts
 * await suggest(index, lexicon, { q: 'oil pri', limit: 8, prefix: true })
 * // { query: 'oil pri', suggestions: [{ text: 'oil prices', kind: 'query' }, …, { text: 'OIL PRICES …', kind: 'title', id: '…' }] }
 * ```
 */
import { fold, processTerm, tokenizeWithOffsets, type AnalyzerOptions, DEFAULT_ANALYZER_OPTIONS } from '../analyzer'
import type { Engine, Matches, QueryPlan } from '../engine'
import type { SearchIndex } from '../search-index'
import type { Lexicon } from './lexicon'
import { vocabularyOf, type Vocabulary } from './vocabulary'

export { didYouMean, DID_YOU_MEAN_BELOW, type SearchOutcome } from './did-you-mean'
export { loadLexicon, lexiconOf } from './load'

export interface SuggestRequest {
  q: string
  limit: number
  /** Complete the last word as a prefix. */
  prefix: boolean
}

export interface Suggestion {
  text: string
  kind: 'query' | 'title'
  /** The article id, for a title. */
  id?: string
}

export interface SuggestResponse {
  query: string
  suggestions: Suggestion[]
}

/** Completions of the last word considered (the most frequent stems with the prefix). */
export const CANDIDATES = 10

/** Titles are matched for this many of the best completions. */
export const TITLE_CANDIDATES = 4

/** Title scores are BM25 over the title plus this per completion rank: far above any BM25 score. */
const GROUP = 1e6

/** The last word is completed with stop words kept: "the" may be the start of "theft". */
const LAST_WORD: AnalyzerOptions = { ...DEFAULT_ANALYZER_OPTIONS, stopWords: new Set() }

/** What {@link planSuggest} decided, from the dictionary alone. */
export interface SuggestPlan {
  request: SuggestRequest
  /** The query before the last word, typos corrected, whitespace collapsed ('' when none). */
  lead: string
  /** Stems of the earlier words (deduplicated, found in the dictionary). */
  constraint: number[]
  /** An earlier word is nowhere in the index: no title can match. */
  unknown: boolean
  /** Completions (or the correction, or the word itself) of the last word, best first by frequency; empty: no last word to match. */
  candidates: number[]
  /** The stem the typed last word analyzes to, and the word as typed (display form), when completing. */
  typed?: { stem: string; word: string }
  /** Whether any word was corrected. */
  corrected: boolean
  /** Postings chunks to load. */
  chunks: number[]
  /**
   * The chunks as loaded for this request, held by it: the postings cache may
   * evict one while the next loads (a large index's cache holds a few), and
   * {@link rankSuggest} must still read it. Absent: read from the cache.
   */
  loaded?: Map<number, Uint8Array>
}

export async function suggest(index: SearchIndex, lexicon: Lexicon, request: SuggestRequest): Promise<SuggestResponse> {
  const plan = planSuggest(index.engine, lexicon, request)
  plan.loaded = await index.engine.postings.load(plan.chunks) // few chunks (the words typed), read at once by rankSuggest
  const ranked = rankSuggest(index.engine, lexicon, plan)
  const titles = ranked.titles
  const missing = titles.filter((n) => lexicon.titles[n] === undefined)
  const fetched = new Map<number, string>()
  if (missing.length > 0) (await index.articles(missing)).forEach((article, i) => fetched.set(missing[i]!, article.title))
  return assemble(request, ranked.queries, titles.map((n) => ({ n, id: index.ids.at(n)!, title: lexicon.titles[n] ?? fetched.get(n)! })))
}

/** Analyzes the query against the dictionary: the earlier words, the last word's candidates, the chunks. */
export function planSuggest(engine: Engine, lexicon: Lexicon, request: SuggestRequest): SuggestPlan {
  const vocabulary = vocabularyOf(engine)
  const { q } = request
  const tokens = tokenizeWithOffsets(q)
  const plan: SuggestPlan = { request, lead: '', constraint: [], unknown: false, candidates: [], corrected: false, chunks: [] }
  if (tokens.length === 0) return plan
  const last = tokens[tokens.length - 1]!
  // A word followed by a space (or any non-word character) is complete.
  const completing = request.prefix && last.end === q.length
  const earlier = completing ? tokens.slice(0, -1) : tokens
  let lead = ''
  let at = 0
  const constraint = new Set<number>()
  for (const token of earlier) {
    lead += q.slice(at, token.start)
    at = token.end
    const terms = processTerm(token.text)
    if (terms.length === 0) {
      lead += token.text // a stop word
      continue
    }
    const found = terms.map((term) => vocabulary.find(term))
    if (found[0]! >= 0) {
      // A known word (for a hyphenated one, its joined form).
      constraint.add(found[0]!)
      lead += token.text
      continue
    }
    const known = found.filter((t) => t >= 0)
    const fix = terms.length === 1 ? vocabulary.replacement(fold(token.text), terms[0]!, (term) => lexicon.surface(term)) : -1
    if (fix >= 0) {
      constraint.add(fix)
      lead += lexicon.surface(engine.dictionary.term(fix))
      plan.corrected = true
    } else if (terms.length > 1 && known.length === terms.length - 1) {
      // A hyphenated word whose parts are all known: match the parts.
      for (const t of known) constraint.add(t)
      lead += token.text
    } else {
      plan.unknown = true
      lead += token.text
    }
  }
  plan.constraint = [...constraint]
  if (completing) {
    plan.lead = collapse(lead + q.slice(at, last.start))
    const [stem] = processTerm(last.text, LAST_WORD)
    if (stem !== undefined) {
      const word = displayWord(last.text)
      plan.typed = { stem, word }
      const bare = word.replace(/[-‐‑]/g, '')
      plan.candidates = vocabulary.completions([bare, stem], CANDIDATES)
      // A partial word can run past its stem: "convertibl" is on its way to "convertible", stem `convert`.
      const shorter: number[] = []
      for (let length = bare.length - 1; length >= 3; length--) {
        const t = vocabulary.find(bare.slice(0, length))
        if (t >= 0 && !plan.candidates.includes(t) && lexicon.surface(bare.slice(0, length)).startsWith(bare)) shorter.push(t)
      }
      if (shorter.length > 0) {
        plan.candidates = [...shorter, ...plan.candidates]
          .sort((a, b) => vocabulary.textDf(b) - vocabulary.textDf(a) || a - b)
          .slice(0, CANDIDATES)
      }
      if (plan.candidates.length === 0) {
        const fix = vocabulary.correct(fold(last.text).replace(/[-‐‑]/g, ''), stem, (term) => lexicon.surface(term), false)
        if (fix >= 0) {
          plan.candidates = [fix]
          plan.corrected = true
        } else plan.unknown = true // no word starts so: no title can match
      }
    }
  } else {
    plan.lead = collapse(lead)
  }
  const chunks = new Set<number>()
  for (const t of [...plan.constraint, ...plan.candidates]) chunks.add(engine.chunkOf(t))
  plan.chunks = [...chunks].sort((a, b) => a - b)
  return plan
}

/**
 * Ranks the candidates by title co-occurrence with the earlier words and
 * picks the best titles. Synchronous: the plan's chunks must be loaded.
 * Returns query texts and internal numbers of titles, best first, more than
 * the limit (duplicates are dropped by {@link assemble}).
 */
export function rankSuggest(engine: Engine, lexicon: Lexicon, plan: SuggestPlan): { queries: string[]; titles: number[] } {
  const vocabulary = vocabularyOf(engine)
  const { limit } = plan.request
  const wantTitles = limit * 2
  const titles = new TopK(wantTitles)
  const queries: string[] = []
  if (!plan.request.prefix || plan.candidates.length === 0) {
    // Nothing to complete: the corrected query, and titles with every word.
    if (plan.corrected) queries.push(`${plan.lead} ${plan.typed?.word ?? ''}`.trim())
    if (!plan.unknown && plan.constraint.length > 0) {
      const matches = engine.execute(titlePlan(engine, vocabulary, plan.constraint, true, plan.loaded))
      for (let i = 0; i < matches.count; i++) titles.offer(matches.docs[i]!, matches.scores[i]!)
    }
    return { queries, titles: titles.ordered() }
  }
  // Titles holding every earlier word, and their scores. The bit set answers "does it?" in the co-occurrence loop,
  // which tests every title of every candidate: cheaper there than the Map, which only the kept titles look up.
  const holds = bitsOf(vocabulary)
  const constraintScore = new Map<number, number>()
  const held = (doc: number) => (holds[doc >> 3]! & (1 << (doc & 7))) !== 0
  try {
    if (plan.constraint.length > 0 && !plan.unknown) {
      const matches = engine.execute(titlePlan(engine, vocabulary, plan.constraint, true, plan.loaded))
      for (let i = 0; i < matches.count; i++) {
        const doc = matches.docs[i]!
        holds[doc >> 3]! |= 1 << (doc & 7)
        constraintScore.set(doc, matches.scores[i]!)
      }
    }
    const constrained = plan.constraint.length > 0 || plan.unknown
    const within = constraintScore.size
    // Co-occurrence: how many titles hold each candidate with every earlier word.
    const together = new Int32Array(plan.candidates.length)
    const found: (Matches | undefined)[] = []
    if (constrained && within > 0) {
      plan.candidates.forEach((t, c) => {
        const matches = (found[c] = engine.execute(titlePlan(engine, vocabulary, [t], false, plan.loaded)))
        for (let i = 0; i < matches.count; i++) if (held(matches.docs[i]!)) together[c]!++
      })
    }
    const order = plan.candidates.map((_, c) => c)
    // Candidates come in frequency order; a stable sort by co-occurrence keeps it for ties.
    if (constrained) order.sort((a, b) => together[b]! - together[a]!)
    for (const c of order) queries.push(`${plan.lead} ${surfaceOf(engine, lexicon, plan, plan.candidates[c]!)}`.trim())
    // Titles: grouped by the completion they hold, in the order of the completions; by BM25 within.
    if (!constrained || within > 0) {
      order.slice(0, TITLE_CANDIDATES).forEach((c, rank) => {
        if (constrained && together[c] === 0) return
        const matches = found[c] ?? engine.execute(titlePlan(engine, vocabulary, [plan.candidates[c]!], false, plan.loaded))
        const group = (TITLE_CANDIDATES - rank) * GROUP
        for (let i = 0; i < matches.count; i++) {
          const doc = matches.docs[i]!
          if (!constrained) titles.offer(doc, group + matches.scores[i]!)
          else if (held(doc)) titles.offer(doc, group + constraintScore.get(doc)! + matches.scores[i]!)
        }
      })
    }
    return { queries, titles: titles.ordered() }
  } finally {
    for (const doc of constraintScore.keys()) holds[doc >> 3] = 0
  }
}

/** Interleaves query and title suggestions up to the limit, dropping repeated texts. */
export function assemble(request: SuggestRequest, queries: readonly string[], titles: readonly { n: number; id: string; title: string }[]): SuggestResponse {
  const seen = new Set<string>()
  const uniqueQueries: Suggestion[] = []
  for (const text of queries) {
    const key = collapse(text).toLowerCase()
    if (key === '' || seen.has(key)) continue
    seen.add(key)
    uniqueQueries.push({ text, kind: 'query' })
  }
  const seenTitles = new Set<string>()
  const uniqueTitles: Suggestion[] = []
  for (const { id, title } of titles) {
    const key = collapse(title).toLowerCase()
    if (key === '' || seenTitles.has(key)) continue
    seenTitles.add(key)
    uniqueTitles.push({ text: title, kind: 'title', id })
  }
  const { limit } = request
  const queryShare = uniqueTitles.length > 0 ? Math.ceil(limit / 2) : limit
  const pickedQueries = uniqueQueries.slice(0, queryShare)
  const pickedTitles = uniqueTitles.slice(0, limit - pickedQueries.length)
  const more = uniqueQueries.slice(pickedQueries.length, pickedQueries.length + limit - pickedQueries.length - pickedTitles.length)
  return { query: request.q, suggestions: [...pickedQueries, ...more, ...pickedTitles] }
}

/** How a candidate is shown: as typed if the typed word is that stem, else its surface form. */
function surfaceOf(engine: Engine, lexicon: Lexicon, plan: SuggestPlan, t: number): string {
  const term = engine.dictionary.term(t)
  if (plan.typed && plan.typed.stem === term) return plan.typed.word
  return lexicon.surface(term)
}

/** A word as it is shown: NFKC, lower case, no possessive `'s`. */
export function displayWord(token: string): string {
  return token.normalize('NFKC').toLowerCase().replace(/['’‘]s$/, '')
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

const basePlans = new WeakMap<Engine, QueryPlan>()

/** A plan over the title field only, with the given term numbers as exact query terms, reading `loaded` chunks first. */
function titlePlan(engine: Engine, vocabulary: Vocabulary, terms: readonly number[], and: boolean, loaded: Map<number, Uint8Array> | undefined): QueryPlan {
  let base = basePlans.get(engine)
  if (!base) basePlans.set(engine, (base = engine.plan('')))
  const boosts = new Float64Array(engine.fields.length)
  boosts[vocabulary.titleField] = 1
  return {
    ...base,
    terms: terms.map((t) => engine.dictionary.term(t)),
    specs: terms.map((t, group) => ({ term: String(t), group, derived: [t], weights: [1] })),
    and,
    boosts,
    chunks: [...new Set(terms.map((t) => engine.chunkOf(t)))],
    loaded: loaded && { postings: loaded, positions: new Map() },
  }
}

const bitSets = new WeakMap<Vocabulary, Uint8Array>()

/**
 * A bit per article, all clear between requests (each clears what it set),
 * reused: one bit, where a stamp and a score per article took 12 bytes (2.4 MB
 * of heap at 200,000 articles, against a 32 MB budget).
 */
function bitsOf(vocabulary: Vocabulary): Uint8Array {
  let bits = bitSets.get(vocabulary)
  if (!bits) bitSets.set(vocabulary, (bits = new Uint8Array((vocabulary.engine.docs.count + 7) >> 3)))
  return bits
}

/** The k best (doc, score) pairs by score, then lower doc number; a doc offered twice keeps its best score. */
class TopK {
  private readonly docs: number[] = []
  private readonly scores: number[] = []
  constructor(private readonly k: number) {}

  offer(doc: number, score: number): void {
    const { docs, scores, k } = this
    const worst = docs.length - 1
    // Most offers lose to the worst kept: reject them before looking for the doc.
    if (docs.length === k && (score < scores[worst]! || (score === scores[worst]! && doc > docs[worst]!))) return
    const existing = docs.indexOf(doc)
    if (existing >= 0) {
      if (score <= scores[existing]!) return
      docs.splice(existing, 1)
      scores.splice(existing, 1)
    } else if (docs.length === k) {
      docs.pop()
      scores.pop()
    }
    let at = docs.length
    while (at > 0 && (scores[at - 1]! < score || (scores[at - 1] === score && docs[at - 1]! > doc))) at--
    docs.splice(at, 0, doc)
    scores.splice(at, 0, score)
  }

  ordered(): number[] {
    return [...this.docs]
  }
}
