/**
 * Benchmark queries, drawn from the corpus vocabulary with a fixed-seed PRNG:
 * the same corpus and seed always give the same queries.
 */
import type { CorpusSample } from './corpus'
import { Prng } from './prng'

export const QUERY_TYPES = ['one-word', '2-3 words', 'common', 'rare', 'prefix', 'typo', 'topic filter', 'empty+topic'] as const
export type QueryType = (typeof QUERY_TYPES)[number]

export interface Query {
  type: QueryType
  q: string
  topic?: string
}

export function queryPath(query: Query, limit = 10): string {
  const params = new URLSearchParams({ q: query.q })
  if (query.topic !== undefined) params.set('topic', query.topic)
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
  private readonly topicList: string[]

  constructor(private readonly corpus: CorpusSample, seed = 20261126) {
    this.prng = new Prng(seed)
    const byDf = [...corpus.df].filter(([w]) => w.length >= 4).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    this.common = byDf.slice(0, 100).map(([w]) => w)
    this.rare = byDf.filter(([w, n]) => n <= 2 && w.length >= 5 && w.length <= 14).map(([w]) => w)
    this.topical = corpus.articles.filter((a) => a.topics.length > 0)
    this.topicList = [...corpus.topics.keys()].sort()
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

  next(type: QueryType): Query {
    const prng = this.prng
    switch (type) {
      case 'one-word':
        return { type, q: this.word(4) }
      case '2-3 words': {
        // nearby words of one article, so that the AND usually has answers
        for (;;) {
          const { words } = this.article()
          const n = prng.int(2, 3)
          if (words.length < n) continue
          const at = prng.int(0, words.length - n)
          const picked = words.slice(at, at + n)
          if (new Set(picked).size === n) return { type, q: picked.join(' ') }
        }
      }
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
    }
  }

  /** `perType` queries of each type, interleaved (mixed). */
  mixed(perType: number): Query[] {
    const out: Query[] = []
    for (let i = 0; i < perType; i++) for (const type of QUERY_TYPES) out.push(this.next(type))
    return out
  }
}
