import { env as testEnv } from 'cloudflare:test'
import type { Bindings } from '../../src/app'
import MiniSearch, { type SearchOptions } from 'minisearch'
import { beforeAll, describe, expect, it } from 'vitest'
import type { EngineSearchOptions } from '../../src/engine'
import { FIELD_BOOSTS, FILES, MINISEARCH_OPTIONS, type IndexedDocument } from '../../src/index-format'
import { assetSource, loadSearchIndex, type SearchIndex } from '../../src/search-index'
import { matchPrefix, typoDistance } from '../../src/search'
import { seededRandom } from '../../bench/lib/prng'

const env = testEnv as unknown as Bindings

/**
 * Differential test, inside workerd: the engine over the compiled index
 * against MiniSearch over the reference JSON it was compiled from
 * (`npm test` builds with `--reference`; the pool serves the `[assets]` dir).
 *
 * 1,200 queries drawn with a fixed-seed PRNG from the bundled Reuters index:
 * single words, OR, AND, prefix, typo (fuzzy), the Worker's own options, and
 * a topic filter. For each, both return the same ids in the same order, with
 * scores equal within 1e-6 relative. The expansion cap is lifted
 * (`maxExpansions: Infinity`), as MiniSearch expands without limit.
 *
 * Ties: MiniSearch orders equal scores by the order it met the documents, the
 * engine by document number, and the two sum a document's contributions in a
 * different order (last-bit differences). So a run of scores equal within
 * 1e-9 relative is compared as a set, not as a sequence.
 */

interface Case {
  kind: string
  q: string
  options: SearchOptions & EngineSearchOptions
  topic?: number
}

let index: SearchIndex
let miniSearch: MiniSearch<IndexedDocument>
let cases: Case[]

beforeAll(async () => {
  index = await loadSearchIndex(assetSource(env.ASSETS))
  const response = await env.ASSETS.fetch(`https://assets.invalid/${FILES.reference}`)
  expect(response.ok, 'reference/minisearch.json: build with --reference (npm test does)').toBe(true)
  miniSearch = MiniSearch.loadJS(await response.json(), MINISEARCH_OPTIONS)
  await index.engine.postings.load(index.manifest.index.postings.files.map((_, c) => c))

  const random = seededRandom(20261126)
  const dict = index.engine.dictionary
  const pickIn = (filter: (t: number) => boolean) => {
    for (;;) {
      const t = Math.floor(random() * dict.termCount)
      if (filter(t)) return dict.term(t)
    }
  }
  const word = () => pickIn((t) => /^[a-z]{3,}$/.test(dict.term(t)))
  const longWord = () => pickIn((t) => /^[a-z]{6,}$/.test(dict.term(t)) && dict.totalDf(t) >= 3)
  const typo = (w: string) => {
    const i = 1 + Math.floor(random() * (w.length - 2))
    const edits = [
      () => w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2), // transposition (distance 2)
      () => w.slice(0, i) + w.slice(i + 1), // deletion
      () => w.slice(0, i) + 'aeiou'[Math.floor(random() * 5)] + w.slice(i + 1), // substitution
    ]
    return edits[Math.floor(random() * edits.length)]!()
  }
  // Words of titles, so that AND queries often match something.
  const titles = (await index.articles(Array.from({ length: 60 }, () => Math.floor(random() * index.engine.docs.count)))).map((a) => a.title)
  const titleWords = (n: number) => {
    const words = titles[Math.floor(random() * titles.length)]!.split(/\s+/).filter((w) => /^[A-Za-z]{3,}$/.test(w))
    const out: string[] = []
    for (let i = 0; i < n && words.length; i++) out.push(words.splice(Math.floor(random() * words.length), 1)[0]!)
    return out.join(' ')
  }
  const boost = { boost: FIELD_BOOSTS }
  const worker = { boost: FIELD_BOOSTS, prefix: matchPrefix, fuzzy: typoDistance }
  const topics = index.manifest.topics.length
  cases = []
  for (let i = 0; i < 200; i++) cases.push({ kind: 'single', q: word(), options: boost })
  for (let i = 0; i < 200; i++) cases.push({ kind: 'or', q: `${word()} ${word()} ${word()}`, options: { ...boost, combineWith: 'OR' } })
  for (let i = 0; i < 200; i++) cases.push({ kind: 'and', q: titleWords(2 + (i % 2)), options: { ...boost, combineWith: 'AND' } })
  for (let i = 0; i < 150; i++) cases.push({ kind: 'prefix', q: longWord().slice(0, 3 + (i % 3)), options: { ...boost, prefix: true } })
  for (let i = 0; i < 150; i++) cases.push({ kind: 'typo', q: typo(longWord()), options: { ...boost, fuzzy: typoDistance } })
  for (let i = 0; i < 150; i++) cases.push({ kind: 'worker', q: `${titleWords(1)} ${typo(longWord())}`, options: { ...worker, combineWith: i % 2 ? 'AND' : 'OR' } })
  for (let i = 0; i < 150; i++) {
    cases.push({ kind: 'topic', q: i % 2 ? word() : titleWords(2), options: { ...worker, combineWith: 'OR' }, topic: Math.floor(random() * Math.min(topics, 40)) })
  }
}, 60_000)

describe('engine vs MiniSearch (differential, 1,200 queries)', () => {
  it('returns the same ids in the same order with the same scores', async () => {
    const { engine } = index
    const kinds = new Map<string, { queries: number; results: number }>()
    for (const c of cases) {
      const mask = c.topic === undefined ? undefined : Uint8Array.from({ length: index.manifest.topics.length }, (_, i) => (i === c.topic ? 1 : 0))
      const keep = mask ? (doc: number) => engine.docs.hasAnyTopic(doc, mask) : undefined
      const expected = miniSearch.search(c.q, c.options as SearchOptions).filter((r) => !keep || keep(r.id as number))
      const plan = engine.plan(c.q, { ...c.options, maxExpansions: Infinity })
      const matches = engine.execute(plan)
      const order = engine.rank(matches, Infinity, keep)
      const actual = Array.from(order, (i) => ({ id: matches.docs[i]!, score: matches.scores[i]! }))
      const label = `${c.kind} "${c.q}" ${JSON.stringify(c.options.combineWith ?? 'OR')} topic ${c.topic}`
      expect(actual.length, label).toBe(expected.length)
      // Walk runs of equal scores; compare each run as a set of ids.
      for (let start = 0; start < expected.length; ) {
        let end = start + 1
        const top = expected[start]!.score
        while (end < expected.length && Math.abs(expected[end]!.score - top) <= 1e-9 * top) end++
        for (let i = start; i < end; i++) {
          const relative = Math.abs(actual[i]!.score - expected[i]!.score) / expected[i]!.score
          if (!(relative <= 1e-6)) expect.fail(`${label}: score ${actual[i]!.score} vs ${expected[i]!.score} at ${i}`)
        }
        const want = expected.slice(start, end).map((r) => r.id as number).sort((a, b) => a - b)
        const got = actual.slice(start, end).map((r) => r.id).sort((a, b) => a - b)
        if (want.join() !== got.join()) expect.fail(`${label}: ids at ${start}..${end}: ${got.slice(0, 5)} vs ${want.slice(0, 5)}`)
        start = end
      }
      // Matched terms of the top hits, as used for snippets.
      const top = expected.slice(0, 3)
      const details = engine.explain(plan, top.map((r) => r.id as number))
      for (const r of top) {
        const detail = details.get(r.id as number)!
        expect(new Set(detail.terms), label).toEqual(new Set(r.terms))
        expect(new Set(detail.queryTerms), label).toEqual(new Set(r.queryTerms))
      }
      const stats = kinds.get(c.kind) ?? { queries: 0, results: 0 }
      stats.queries++
      stats.results += expected.length
      kinds.set(c.kind, stats)
    }
    // The sample is not degenerate: every kind found results.
    for (const [kind, stats] of kinds) expect(stats.results, kind).toBeGreaterThan(stats.queries)
    expect(cases.length).toBeGreaterThanOrEqual(1000)
  }, 120_000)
})
