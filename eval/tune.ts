/**
 * Ranking tuning, in process: `npm run eval -- <BEIR dir> --tune` (a grid) or
 * `npm run eval -- <BEIR dir> --boost title=1 --bm25 k=0.9,b=0.4 --coord 0`
 * (one setting). See docs/relevance.md, "Tuning".
 *
 * The collection is built once with the project's build CLI (`--reference`,
 * so nothing here re-reads or re-normalises the input), its articles are read
 * back from the artefacts, and a MiniSearch index is built in memory once per
 * analyzer variant (stop words, stemmer) with the project's
 * `MINISEARCH_OPTIONS`. Every search-time setting (field boosts, BM25 k/b/d,
 * query mode, query-term handling, coordination) is then evaluated against it
 * with `MiniSearch.search`, which the Worker's engine reproduces score for
 * score (docs/architecture.md), so a figure here is what the engine would give
 * with the same options.
 *
 * What MiniSearch's options cannot express is done around it, and is exactly
 * what the engine would have to add:
 * - coordination: MiniSearch multiplies a document's summed score by q, the
 *   number of distinct query terms it matched. `coord: c` rescores every
 *   result as `score / q * q^c` (c = 1: MiniSearch, c = 0: plain sum), then
 *   re-sorts (stable, so ties keep MiniSearch's order).
 * - query-term handling: the query is analysed here and handed to MiniSearch
 *   already as terms (`tokenize` returns them, `processTerm` is the identity);
 *   `dedup` keeps each term once (MiniSearch sums a repeated term's score once
 *   per occurrence but counts it once in q), `maxDf` drops terms found in more
 *   than that share of the documents (in any field), unless that drops all.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type MiniSearchType from 'minisearch'
import type { SearchResult } from 'minisearch'

export type Field = 'title' | 'summary' | 'topics' | 'body'
export const FIELDS: Field[] = ['title', 'summary', 'topics', 'body']

/** How the Worker matches (as in eval/modes.ts). */
export type QueryMode = 'worker' | 'and-or-exact' | 'or' | 'or-exact'

export interface AnalyzerVariant {
  /** Stop-word list name, see {@link STOP_WORD_LISTS}. */
  stop: string
  /** `porter` (the `stemmer` package, the project's), `s` (plural-only S-stemmer), `none`. */
  stem: 'porter' | 's' | 'none'
  /**
   * One flat text field, as Anserini's "flat" BEIR runs: title, summary and
   * body indexed as one body (`title\nsummary\nbody`), the title and summary
   * fields left empty, so the title's own length normalisation and boost go.
   * A build change (a combined field), so it is an index variant here.
   */
  flat?: boolean
}

/** BM25's b per field, over the setting's b (BM25F-style per-field length normalisation; the engine has one b). */
export type FieldB = Partial<Record<Field, number>>

export interface Setting extends AnalyzerVariant {
  boost: Record<Field, number>
  bm25: { k: number; b: number; d: number }
  /** Exponent of the coordination factor q^c (q: distinct query terms matched). 1 = MiniSearch. */
  coord: number
  dedup: boolean
  /** Drop query terms whose document frequency (max over fields) exceeds this share of N; 1 = keep all. */
  maxDf: number
  mode: QueryMode
  /**
   * Proximity bonus weight λ (0 = off): the top {@link PROXIMITY_RERANK} by
   * the BM25 score get λ · Σ over pairs of query terms adjacent in the
   * analysed query, over fields, of boost · min(idf) · (k + 1)·acc / (k + acc),
   * acc = Σ 1/dist² over the occurrences of the first term whose nearest
   * occurrence of the second is within {@link PROXIMITY_WINDOW} tokens
   * (BM25TP, Rasolofo & Savoy 2003). Exact terms only.
   */
  proximity: number
  /** Per-field b (`--field-b title=0.3`); unnamed fields use `bm25.b`. */
  fieldB?: FieldB
}

/** Documents reranked by the proximity bonus (the top of the BM25 ranking). */
export const PROXIMITY_RERANK = 100
/** Largest token distance that counts as near (positions as the index stores them: raw tokens, stop words included). */
export const PROXIMITY_WINDOW = 5

/** The project's current ranking (src/index-format FIELD_BOOSTS, MiniSearch's BM25+ defaults, src/search rules). */
export const CURRENT: Setting = {
  boost: { title: 3, summary: 1.5, topics: 1.5, body: 1 },
  bm25: { k: 1.2, b: 0.7, d: 0.5 },
  coord: 1,
  dedup: false,
  maxDf: 1,
  mode: 'worker',
  proximity: 0,
  stop: 'default',
  stem: 'porter',
}

/** Lucene's / Anserini's English stop words (33). */
const LUCENE_STOP = 'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'
/** NLTK's English stop words (apostrophe forms dropped: the analyzer removes apostrophes). */
const NLTK_STOP = `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
itself they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having do
does did doing a an the and but if or because as until while of at by for with about against between into through during before after above
below to from up down in out on off over under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ain aren couldn didn doesn hadn hasn
haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn`

export async function stopWordLists(): Promise<Record<string, ReadonlySet<string>>> {
  const { ENGLISH_STOP_WORDS } = await import('../src/analyzer')
  const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean))
  return { default: ENGLISH_STOP_WORDS, none: new Set(), lucene: words(LUCENE_STOP), nltk: words(NLTK_STOP) }
}

/** Harman's S-stemmer: plurals only. */
export function sStem(word: string): string {
  if (word.length > 3 && word.endsWith('ies') && !/[ae]ies$/.test(word)) return `${word.slice(0, -3)}y`
  if (word.length > 3 && word.endsWith('es') && !/[aeo]es$/.test(word)) return word.slice(0, -1)
  if (word.length > 3 && word.endsWith('s') && !/[us]s$/.test(word)) return word.slice(0, -1)
  return word
}

/** `title=1,body=1` over a base: unnamed fields keep the base's value. */
export function parseBoost(text: string, base: Record<Field, number>): Record<Field, number> {
  const out = { ...base }
  for (const [key, value] of pairs(text)) {
    if (!FIELDS.includes(key as Field)) throw new Error(`--boost: unknown field "${key}" (fields: ${FIELDS.join(', ')})`)
    out[key as Field] = value
  }
  return out
}

/** `k=0.9,b=0.4,d=0` over a base. */
export function parseBm25(text: string, base: Setting['bm25']): Setting['bm25'] {
  const out = { ...base }
  for (const [key, value] of pairs(text)) {
    if (key !== 'k' && key !== 'b' && key !== 'd') throw new Error(`--bm25: unknown parameter "${key}" (k, b, d)`)
    out[key] = value
  }
  return out
}

function pairs(text: string): [string, number][] {
  return text.split(',').filter(Boolean).map((pair) => {
    const [key, value] = pair.split('=')
    if (!key || value === undefined || !Number.isFinite(Number(value))) throw new Error(`bad key=value "${pair}"`)
    return [key.trim(), Number(value)]
  })
}

/** A short label: only what differs from {@link CURRENT}. */
export function describe(setting: Setting): string {
  const parts: string[] = []
  const b = setting.boost
  if (FIELDS.some((f) => b[f] !== CURRENT.boost[f])) parts.push(`boost ${FIELDS.map((f) => `${f[0]}${b[f]}`).join('/')}`)
  const p = setting.bm25
  if (p.k !== CURRENT.bm25.k || p.b !== CURRENT.bm25.b || p.d !== CURRENT.bm25.d) parts.push(`k${p.k} b${p.b} d${p.d}`)
  if (setting.coord !== CURRENT.coord) parts.push(`coord ${setting.coord}`)
  if (setting.dedup) parts.push('dedup')
  if (setting.maxDf < 1) parts.push(`maxDf ${setting.maxDf}`)
  if (setting.proximity > 0) parts.push(`proximity ${setting.proximity}`)
  if (setting.stop !== CURRENT.stop) parts.push(`stop ${setting.stop}`)
  if (setting.stem !== CURRENT.stem) parts.push(`stem ${setting.stem}`)
  if (setting.flat) parts.push('flat')
  if (setting.fieldB && Object.keys(setting.fieldB).length) parts.push(`b ${Object.entries(setting.fieldB).map(([f, v]) => `${f}=${v}`).join('/')}`)
  return parts.length === 0 ? 'current' : parts.join(', ')
}

/**
 * Coordination: MiniSearch's score is sum × q; returns the results rescored as
 * sum × q^c and re-sorted (stable), as a new array.
 */
export function recoordinate<T extends { score: number; queryTerms: string[] }>(results: readonly T[], c: number): T[] {
  if (c === 1) return [...results]
  const rescored = results.map((r) => {
    const q = Math.max(1, r.queryTerms.length)
    return { ...r, score: (r.score / q) * q ** c }
  })
  return rescored.sort((x, y) => y.score - x.score)
}

export interface Article {
  id: string
  title: string
  summary: string
  body: string
  topics: string
  topicSlugs: string[]
}

/** Reads the articles back from a build's artefacts (fragments, manifest), with the topics text as the build indexes it. */
export async function readArticles(assets: string): Promise<Article[]> {
  const manifest = JSON.parse(await readFile(join(assets, 'manifest.json'), 'utf8')) as { topics: { name: string; slug: string }[] }
  const nameOf = new Map(manifest.topics.map((t) => [t.slug, t.name]))
  const articles: Article[] = []
  const files = (await readdir(join(assets, 'articles'))).sort((a, b) => parseInt(a) - parseInt(b))
  for (const file of files) {
    const fragment = JSON.parse(await readFile(join(assets, 'articles', file), 'utf8')) as { first: number; articles: { id: string; title: string; summary: string; body: string; topics: string[] }[] }
    fragment.articles.forEach((a, i) => {
      // index-build/write.ts topicText: display name and slug of each topic, each once.
      const words: string[] = []
      for (const slug of a.topics) for (const word of [nameOf.get(slug) ?? slug, slug]) if (!words.includes(word)) words.push(word)
      articles[fragment.first + i] = { id: a.id, title: a.title, summary: a.summary, body: a.body, topics: words.join(' '), topicSlugs: a.topics }
    })
  }
  return articles
}

/** One derived term of a query term: its weight and its postings per field id. */
interface PlanTerm {
  weight: number
  fields: (readonly [number, Postings])[]
}

interface Postings {
  docs: Int32Array
  tfs: Int32Array
  has(doc: number): boolean
}

function postingsOf(freqs: Map<number, number>): Postings {
  const docs = Int32Array.from(freqs.keys())
  const tfs = Int32Array.from(freqs.values())
  return { docs, tfs, has: (doc) => freqs.has(doc) }
}

export interface Run {
  ids: string[]
  relaxed: boolean
}

/** A collection indexed in memory, one MiniSearch per analyzer variant, built on first use. */
export class Tuner {
  private readonly indexes = new Map<string, { mini: MiniSearchType<any>; terms: (text: string) => string[]; process: (token: string) => string[]; positions?: Map<string, number[]>[][] }>()

  private constructor(
    readonly articles: Article[],
    private readonly MiniSearch: typeof MiniSearchType,
    private readonly options: any,
    private readonly lists: Record<string, ReadonlySet<string>>,
    private readonly analyzer: typeof import('../src/analyzer'),
    private readonly rules: { matchPrefix: (t: string, i: number, ts: string[]) => boolean; typoDistance: (t: string, i?: number, ts?: readonly string[]) => number | false },
  ) {}

  static async open(assets: string): Promise<Tuner> {
    const [{ default: MiniSearch }, { MINISEARCH_OPTIONS }, analyzer, { matchPrefix, typoDistance }] = await Promise.all([
      import('minisearch'),
      import('../src/index-format'),
      import('../src/analyzer'),
      import('../src/search'),
    ])
    return new Tuner(await readArticles(assets), MiniSearch, MINISEARCH_OPTIONS, await stopWordLists(), analyzer, { matchPrefix, typoDistance })
  }

  /** The MiniSearch index of an analyzer variant (built once), and the query analysis that goes with it. */
  index(variant: AnalyzerVariant) {
    const key = `${variant.stop}/${variant.stem}${variant.flat ? '/flat' : ''}`
    let entry = this.indexes.get(key)
    if (!entry) {
      const stopWords = this.lists[variant.stop]
      if (!stopWords) throw new Error(`unknown stop-word list "${variant.stop}" (${Object.keys(this.lists).join(', ')})`)
      const { processTerm, tokenize } = this.analyzer
      const process = variant.stem === 's'
        ? (token: string) => processTerm(token, { stopWords, stem: false }).map((t) => (/\d/.test(t) ? t : sStem(t))).filter((t, i, all) => all.indexOf(t) === i)
        : (token: string) => processTerm(token, { stopWords, stem: variant.stem === 'porter' })
      const mini = new this.MiniSearch({ ...this.options, processTerm: process })
      mini.addAll(this.articles.map((a, n) => variant.flat
        ? { n, title: '', summary: '', body: [a.title, a.summary, a.body].filter(Boolean).join('\n'), topics: a.topics }
        : { n, title: a.title, summary: a.summary, body: a.body, topics: a.topics }))
      entry = { mini, process, terms: (text: string) => tokenize(text).flatMap(process) }
      this.indexes.set(key, entry)
    }
    return entry
  }

  /** The query terms of a setting (analysis, then `dedup` and `maxDf`). */
  private queryTerms(q: string, setting: Setting): string[] {
    const { mini, terms: analyze } = this.index(setting)
    let terms = analyze(q)
    if (setting.dedup) terms = terms.filter((t, i) => terms.indexOf(t) === i)
    if (setting.maxDf < 1) {
      const n = mini.documentCount
      const kept = terms.filter((t) => this.maxFieldDf(mini, t) <= setting.maxDf * n)
      if (kept.length > 0) terms = kept
    }
    return terms
  }

  /**
   * Runs one query with one setting; ids of the top `limit`. Scores with
   * {@link Tuner.fastRun} (the same arithmetic as MiniSearch over cached
   * postings); `reference: true` runs MiniSearch itself.
   */
  run(q: string, setting: Setting, limit: number, reference = false): Run {
    return reference ? this.referenceRun(q, setting, limit) : this.fastRun(q, setting, limit)
  }

  private readonly plans = new Map<string, PlanTerm[]>()
  private scratch?: { score: Float64Array; termScore: Float64Array; seen: Uint32Array; termSeen: Uint32Array; count: Uint16Array; stamp: number; termStamp: number }

  /**
   * MiniSearch's scoring, re-done over postings cached per (variant, query,
   * looseness): for each query term, each derived term (exact weight 1,
   * prefix `0.375·len/(len + 0.3Δ)`, fuzzy `0.45·len/(len + d)`, a prefix
   * match not counted again as fuzzy) and each field with a boost, add
   * `weight · boost · idf · (d + tf(k + 1)/(tf + k(1 − b + b·len/avg)))`;
   * AND keeps documents every query term matched; final = sum · q^coord.
   * Ties: document number ascending (MiniSearch: the order it met them).
   */
  fastRun(q: string, setting: Setting, limit: number): Run {
    const { mini } = this.index(setting)
    const m = mini as any
    const n: number = m._documentCount
    const terms = this.queryTerms(q, setting)
    const loose = setting.mode === 'worker' || setting.mode === 'or'
    if (!this.scratch || this.scratch.score.length < m._nextId) {
      const size = m._nextId as number
      this.scratch = { score: new Float64Array(size), termScore: new Float64Array(size), seen: new Uint32Array(size), termSeen: new Uint32Array(size), count: new Uint16Array(size), stamp: 0, termStamp: 0 }
    }
    const s = this.scratch
    const plan = terms.map((term, i) => this.plan(setting, term, loose ? { prefix: this.rules.matchPrefix(term, i, terms), fuzzy: this.rules.typoDistance(term, i, terms) } : { prefix: false, fuzzy: false }))
    const { k, d } = setting.bm25
    const bById = new Map<number, number>()
    for (const [f, value] of Object.entries(setting.fieldB ?? {})) if (m._fieldIds[f] !== undefined) bById.set(m._fieldIds[f], value)
    const avg: number[] = m._avgFieldLength
    const fieldLength: Map<number, number[]> = m._fieldLength
    const fieldIds: Record<string, number> = m._fieldIds
    const boostById = new Map<number, number>()
    for (const f of FIELDS) if (setting.boost[f] > 0 && fieldIds[f] !== undefined) boostById.set(fieldIds[f]!, setting.boost[f])
    const and = setting.mode === 'worker' || setting.mode === 'and-or-exact'
    const distinct = new Map<string, number>() // source term → index of its first occurrence
    terms.forEach((t, i) => { if (!distinct.has(t)) distinct.set(t, i) })

    const score = (useAnd: boolean): { docs: number[]; scores: number[] } => {
      const stamp = ++s.stamp
      const touched: number[] = []
      plan.forEach((derived, i) => {
        const termStamp = ++s.termStamp
        const first = distinct.get(terms[i]!) === i
        const termDocs: number[] = []
        for (const { weight, fields } of derived) {
          for (const [fieldId, postings] of fields) {
            const boost = boostById.get(fieldId)
            if (boost === undefined) continue
            const df = postings.docs.length
            const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5))
            const a = avg[fieldId]!
            const b = bById.get(fieldId) ?? setting.bm25.b
            for (let p = 0; p < postings.docs.length; p++) {
              const doc = postings.docs[p]!
              const tf = postings.tfs[p]!
              const len = fieldLength.get(doc)![fieldId]!
              const raw = idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * len) / a)))
              if (s.termSeen[doc] !== termStamp) {
                s.termSeen[doc] = termStamp
                s.termScore[doc] = 0
                termDocs.push(doc)
              }
              s.termScore[doc]! += weight * boost * raw
            }
          }
        }
        for (const doc of termDocs) {
          if (s.seen[doc] !== stamp) {
            s.seen[doc] = stamp
            s.score[doc] = 0
            s.count[doc] = 0
            touched.push(doc)
          }
          s.score[doc]! += s.termScore[doc]!
          if (first) s.count[doc]!++
        }
      })
      // AND: a document every distinct query term matched (a repeated term matches the same documents).
      const docs = useAnd ? touched.filter((doc) => s.count[doc] === distinct.size) : touched
      const scores = docs.map((doc) => s.score[doc]! * s.count[doc]! ** setting.coord)
      return { docs, scores }
    }
    let relaxed = false
    let result = and ? score(true) : score(false)
    if (and && result.docs.length === 0) {
      relaxed = true
      result = score(false)
    }
    let order = result.docs.map((_, i) => i).sort((x, y) => result.scores[y]! - result.scores[x]! || result.docs[x]! - result.docs[y]!)
    if (setting.proximity > 0 && terms.length > 1) {
      const top = order.slice(0, PROXIMITY_RERANK)
      const bonus = this.proximityBonus(setting, terms, top.map((i) => result.docs[i]!), boostById)
      const final = new Map(top.map((i, j) => [i, result.scores[i]! + setting.proximity * bonus[j]!]))
      top.sort((x, y) => final.get(y)! - final.get(x)! || result.docs[x]! - result.docs[y]!)
      order = [...top, ...order.slice(PROXIMITY_RERANK)]
    }
    return { ids: order.slice(0, limit).map((i) => this.articles[result.docs[i]!]!.id), relaxed }
  }

  /** BM25TP-style proximity bonus of each document (see {@link Setting.proximity}), before λ. */
  private proximityBonus(setting: Setting, terms: string[], docs: number[], boostById: Map<number, number>): number[] {
    const entry = this.index(setting)
    const m = entry.mini as any
    const n: number = m._documentCount
    if (!entry.positions) {
      // Token positions per document, per field id, per term: the index of the raw token in the field.
      const { tokenize } = this.analyzer
      entry.positions = this.articles.map((a) => {
        const byField: Map<string, number[]>[] = []
        for (const f of FIELDS) {
          const map = new Map<string, number[]>()
          tokenize(a[f]).forEach((token, pos) => {
            for (const term of entry.process(token)) {
              const list = map.get(term)
              if (list) list.push(pos)
              else map.set(term, [pos])
            }
          })
          byField[m._fieldIds[f]] = map
        }
        return byField
      })
    }
    const idf = (term: string) => {
      const data = m._index.get(term) as Map<number, Map<number, number>> | undefined
      let df = 0
      if (data) for (const freqs of data.values()) df = Math.max(df, freqs.size)
      return Math.log(1 + (n - df + 0.5) / (df + 0.5))
    }
    const pairs: [string, string, number][] = []
    for (let i = 0; i + 1 < terms.length; i++) if (terms[i] !== terms[i + 1]) pairs.push([terms[i]!, terms[i + 1]!, Math.min(idf(terms[i]!), idf(terms[i + 1]!))])
    const k = setting.bm25.k
    return docs.map((doc) => {
      let bonus = 0
      for (const [fieldId, boost] of boostById) {
        const positions = entry.positions![doc]![fieldId]
        if (!positions) continue
        for (const [a, b, weight] of pairs) {
          const pa = positions.get(a)
          const pb = positions.get(b)
          if (!pa || !pb) continue
          let acc = 0
          for (const p of pa) {
            let nearest = Infinity
            for (const q of pb) nearest = Math.min(nearest, Math.abs(q - p) || Infinity)
            if (nearest <= PROXIMITY_WINDOW) acc += 1 / (nearest * nearest)
          }
          if (acc > 0) bonus += boost * weight * ((k + 1) * acc) / (k + acc)
        }
      }
      return bonus
    })
  }

  /** The derived terms of one query term, with weights and postings (cached). */
  private plan(variant: AnalyzerVariant, term: string, rules: { prefix: boolean; fuzzy: number | false }): PlanTerm[] {
    const key = `${variant.stop}/${variant.stem}${variant.flat ? '/flat' : ''}\0${term}\0${rules.prefix}\0${rules.fuzzy}`
    let plan = this.plans.get(key)
    if (plan) return plan
    const tree = (this.index(variant).mini as any)._index
    const derived: PlanTerm[] = []
    const add = (data: Map<number, Map<number, number>> | undefined, weight: number) => {
      if (!data) return
      derived.push({ weight, fields: [...data].map(([fieldId, freqs]) => [fieldId, postingsOf(freqs)] as const) })
    }
    add(tree.get(term), 1)
    const fuzzy: Map<string, [Map<number, Map<number, number>>, number]> | undefined = rules.fuzzy ? tree.fuzzyGet(term, rules.fuzzy) : undefined
    if (rules.prefix) {
      for (const [t, data] of tree.atPrefix(term) as Iterable<[string, Map<number, Map<number, number>>]>) {
        const distance = t.length - term.length
        if (!distance) continue
        fuzzy?.delete(t)
        add(data, (0.375 * t.length) / (t.length + 0.3 * distance))
      }
    }
    if (fuzzy) {
      for (const [t, [data, distance]] of fuzzy) {
        if (!distance) continue
        add(data, (0.45 * t.length) / (t.length + distance))
      }
    }
    plan = derived
    this.plans.set(key, plan)
    return plan
  }

  private referenceRun(q: string, setting: Setting, limit: number): Run {
    const { mini } = this.index(setting)
    const terms = this.queryTerms(q, setting)
    const fields = FIELDS.filter((f) => setting.boost[f] > 0)
    const loose = setting.mode === 'worker' || setting.mode === 'or'
    const options = {
      tokenize: () => terms,
      processTerm: (t: string) => t,
      fields,
      boost: setting.boost,
      bm25: setting.bm25,
      ...(loose ? { prefix: this.rules.matchPrefix, fuzzy: this.rules.typoDistance } : {}),
    }
    let relaxed = false
    let results: SearchResult[] = []
    if (setting.mode === 'worker' || setting.mode === 'and-or-exact') {
      results = mini.search(q, { ...options, combineWith: 'AND' })
      relaxed = results.length === 0
    }
    if (results.length === 0) results = mini.search(q, { ...options, combineWith: 'OR' })
    const ranked = recoordinate(results, setting.coord)
    return { ids: ranked.slice(0, limit).map((r) => this.articles[r.id as number]!.id), relaxed }
  }

  private maxFieldDf(mini: MiniSearchType<any>, term: string): number {
    // MiniSearch keeps df per field in its radix tree; reach it the way search does.
    const data = (mini as any)._index.get(term) as Map<number, Map<number, number>> | undefined
    let max = 0
    if (data) for (const freqs of data.values()) max = Math.max(max, freqs.size)
    return max
  }
}

/** True when `dir` holds a finished build (its manifest). */
export async function isBuilt(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'manifest.json'))).isFile() && (await stat(join(dir, 'articles'))).isDirectory()
  } catch {
    return false
  }
}

/** One row of a tuning table. */
export interface TuneRow {
  setting: Setting
  label: string
  ndcg10?: number
  recall100?: number
  relaxed?: number
  precision?: number
}

/**
 * The neighbours of a setting, one dimension at a time: field boost of the
 * title, k, b, d, coordination, stop words, stemmer, de-duplication.
 */
export function neighbours(base: Setting): Setting[] {
  const out: Setting[] = []
  const around = (value: number, steps: number[]) => [...new Set(steps.map((s) => Math.round((value + s) * 100) / 100))].filter((v) => v >= 0 && v !== value)
  for (const title of around(base.boost.title, [-0.5, -0.25, 0.25, 0.5, 1, 2])) if (title > 0) out.push({ ...base, boost: { ...base.boost, title } })
  for (const k of around(base.bm25.k, [-0.3, 0.3])) if (k > 0) out.push({ ...base, bm25: { ...base.bm25, k } })
  for (const b of around(base.bm25.b, [-0.2, -0.1, 0.1])) if (b <= 1) out.push({ ...base, bm25: { ...base.bm25, b } })
  for (const d of around(base.bm25.d, [-0.25, 0.25, 0.5])) out.push({ ...base, bm25: { ...base.bm25, d } })
  for (const coord of [0, 0.25, 0.5, 0.75, 1]) if (coord !== base.coord) out.push({ ...base, coord })
  for (const stop of ['default', 'lucene', 'nltk', 'none']) if (stop !== base.stop) out.push({ ...base, stop })
  for (const stem of ['porter', 's', 'none'] as const) if (stem !== base.stem) out.push({ ...base, stem })
  out.push({ ...base, dedup: !base.dedup })
  return out
}
