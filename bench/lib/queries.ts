/**
 * Benchmark queries, drawn from the corpus vocabulary with a fixed-seed PRNG:
 * the same corpus and seed always give the same queries.
 */
import type { CorpusSample } from './corpus'
import { Prng } from './prng'
import { SEARCH_LIMITS } from '../../src/params'

export const QUERY_TYPES = ['one-word', '2-3 words', 'common', 'rare', 'prefix', 'typo', 'topic filter', 'empty+topic', 'phrase', 'exclusion', 'date-sorted'] as const
export type QueryType = (typeof QUERY_TYPES)[number]

export interface Query {
  type: QueryType
  q: string
  topic?: string
  sort?: 'date'
}

export function queryPath(query: Query, limit = 10): string {
  const params = new URLSearchParams({ q: query.q })
  if (query.topic !== undefined) params.set('topic', query.topic)
  if (query.sort !== undefined) params.set('sort', query.sort)
  params.set('limit', String(limit))
  return `/search?${params}`
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

/** One edit (substitution, deletion, insertion or transposition) after the first letter. */
function typo(word: string, prng: Prng): string {
  for (;;) {
    const i = prng.int(1, word.length - 1)
    const kind = prng.int(0, 3)
    let out: string
    if (kind === 0) out = word.slice(0, i) + prng.pick([...LETTERS]) + word.slice(i + 1)
    else if (kind === 1) out = word.slice(0, i) + word.slice(i + 1)
    else if (kind === 2) out = word.slice(0, i) + prng.pick([...LETTERS]) + word.slice(i)
    else out = i < word.length - 1 ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word.slice(0, i - 1) + word[i] + word[i - 1]
    if (out !== word) return out
  }
}

export class QueryGenerator {
  private readonly prng: Prng
  private readonly common: string[]
  private readonly rare: string[]
  private readonly topical: CorpusSample['articles']

  constructor(private readonly corpus: CorpusSample, seed = 20261126) {
    this.prng = new Prng(seed)
    const byDf = [...corpus.df].filter(([w]) => w.length >= 4).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    this.common = byDf.slice(0, 100).map(([w]) => w)
    this.rare = byDf.filter(([w, n]) => n <= 2 && w.length >= 5 && w.length <= 14).map(([w]) => w)
    this.topical = corpus.articles.filter((a) => a.topics.length > 0)
  }

  private article() {
    return this.prng.pick(this.corpus.articles)
  }
  private word(min = 3, max = 30): string {
    for (;;) {
      const word = this.prng.pick(this.article().words)
      if (word.length >= min && word.length <= max) return word
    }
  }

  /** `n` distinct adjacent words of one article. */
  private adjacent(n: number): string {
    for (;;) {
      const { words } = this.article()
      if (words.length < n) continue
      const at = this.prng.int(0, words.length - n)
      const picked = words.slice(at, at + n)
      if (new Set(picked).size === n) return picked.join(' ')
    }
  }

  next(type: QueryType): Query {
    const prng = this.prng
    switch (type) {
      case 'one-word':
        return { type, q: this.word(4) }
      case '2-3 words':
        // nearby words of one article, so that the AND usually has answers
        return { type, q: this.adjacent(prng.int(2, 3)) }
      case 'common':
        return { type, q: prng.int(0, 1) === 0 ? prng.pick(this.common) : `${prng.pick(this.common)} ${prng.pick(this.common)}` }
      case 'rare':
        return { type, q: this.rare.length > 0 ? prng.pick(this.rare) : this.word(8) }
      case 'prefix': {
        for (;;) {
          const { words } = this.article()
          const at = prng.int(0, words.length - 1)
          const word = words[at]!
          if (word.length < 6) continue
          const partial = word.slice(0, prng.int(3, word.length - 2))
          return { type, q: at > 0 && prng.int(0, 1) === 0 ? `${words[at - 1]} ${partial}` : partial }
        }
      }
      case 'typo':
        return { type, q: typo(this.word(5, 14), prng) }
      case 'topic filter': {
        if (this.topical.length === 0) return { type, q: this.word(4) }
        const article = prng.pick(this.topical)
        return { type, q: prng.pick(article.words.filter((w) => w.length >= 4).concat(article.words)), topic: prng.pick(article.topics) }
      }
      case 'empty+topic':
        return { type, q: '', topic: this.topical.length > 0 ? prng.pick(prng.pick(this.topical).topics) : undefined }
      case 'phrase':
        // two or three adjacent words of one article, quoted: checked against stored positions
        return { type, q: `"${this.adjacent(prng.int(2, 3))}"` }
      case 'exclusion':
        return { type, q: `${prng.pick(this.common)} -${prng.pick(this.common)}` }
      case 'date-sorted':
        return { type, q: this.word(4), sort: 'date' }
    }
  }

  /** `perType` queries of each type, interleaved (mixed). */
  mixed(perType: number): Query[] {
    const out: Query[] = []
    for (let i = 0; i < perType; i++) for (const type of QUERY_TYPES) out.push(this.next(type))
    return out
  }
}

/** A hostile request for the worst-case CPU figure: what it tries to exhaust, and its path. */
export interface WorstCase {
  label: string
  path: string
}

/** Words joined by `separator`, as many as fit in `maxChars` (the API's 200-character cap on q). */
function fill(words: string[], separator: string, maxChars = 200): string {
  let q = ''
  for (const word of words) {
    const next = q ? `${q}${separator}${word}` : word
    if (next.length > maxChars) break
    q = next
  }
  return q
}

/**
 * Requests built to cost the most CPU within the API's caps (`SEARCH_LIMITS`
 * of src/params: q ≤ 200 characters, ≤ 32 terms and ≤ 4 phrases, limit ≤ 50,
 * offset ≤ 1,000, ≤ 20 topics): the most common words (longest postings), OR
 * and relaxed AND over them, long misspelt words (two-typo expansion from 9
 * letters), a 3-letter prefix (most expansions), phrases of common words
 * (position checks), exclusions, deep paging and full pages (a fragment and a
 * snippet per hit).
 */
export function worstCaseQueries(corpus: CorpusSample): WorstCase[] {
  const byDf = [...corpus.df].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const common = byDf.filter(([w]) => w.length >= 4).map(([w]) => w)
  const long = byDf.filter(([w]) => w.length >= 9 && w.length <= 11).map(([w]) => w)
  // one substitution in the middle: still two typos allowed, so the full two-edit walk runs
  const misspelt = long.map((w) => w.slice(0, 4) + (w[4] === 'x' ? 'z' : 'x') + w.slice(5))
  const topics = [...corpus.topics].sort((a, b) => b[1] - a[1]).map(([t]) => t)
  const limit = String(SEARCH_LIMITS.maxLimit)
  const offset = String(SEARCH_LIMITS.maxOffset)
  const path = (params: Record<string, string | string[]>) => {
    const search = new URLSearchParams()
    for (const [k, v] of Object.entries(params)) for (const value of [v].flat()) search.append(k, value)
    return `/search?${search}`
  }
  const orCommon = fill(common, ' OR ')
  const phrases = Array.from({ length: SEARCH_LIMITS.maxPhrases }, (_, i) => `"${common[2 * i]} ${common[2 * i + 1]}"`)
  return [
    { label: `OR of the most common words, limit ${limit}`, path: path({ q: orCommon, limit }) },
    { label: `AND of the most common words (relaxes to OR), limit ${limit}`, path: path({ q: fill(common, ' '), limit }) },
    { label: `misspelt 9–11-letter words (two-typo expansion), limit ${limit}`, path: path({ q: fill(misspelt, ' '), limit }) },
    { label: `misspelt long words OR-ed, limit ${limit}`, path: path({ q: fill(misspelt, ' OR '), limit }) },
    { label: `common words then a 3-letter prefix, limit ${limit}`, path: path({ q: `${fill(common.slice(0, 3), ' ')} con`, limit }) },
    { label: `${phrases.length} phrases of common words OR-ed, then common words`, path: path({ q: fill([...phrases, ...common.slice(2 * phrases.length)], ' OR '), limit }) },
    { label: `${phrases.length} phrases of common words AND-ed`, path: path({ q: phrases.join(' '), limit }) },
    { label: 'common word minus many common words', path: path({ q: `${common[0]} ${fill(common.slice(1).map((w) => `-${w}`), ' ', 190)}`, limit }) },
    { label: 'OR of common words, 20 topics, sort=date, recency=1', path: path({ q: orCommon, topic: topics.slice(0, SEARCH_LIMITS.maxTopics), sort: 'date', recency: '1', limit }) },
    { label: `OR of common words, offset ${offset}, limit ${limit}`, path: path({ q: orCommon, offset, limit }) },
    { label: `empty query, sort=date, offset ${offset}, limit ${limit}`, path: path({ q: '', sort: 'date', offset, limit }) },
  ]
}
