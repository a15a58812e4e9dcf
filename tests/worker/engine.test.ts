import { env as testEnv } from 'cloudflare:test'
import type { Bindings } from '../../src/app'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyze } from '../../src/analyzer'
import { Engine, MAX_EXPANSIONS, memoryPostings, type EngineSearchOptions } from '../../src/engine'
import { decodeVarints, encodeVarints } from '../../src/engine/varint'
import { createApp } from '../../src/app'
import { FIELD_BOOSTS, FILES, MAX_PACK_BYTES, MAX_PACKED_ARTICLE_BYTES, fragmentArticle, fragmentHeader, fragmentText, type ArticleFragment, type Manifest } from '../../src/index-format'
import { DEFAULT_CACHE_LIMITS, MIN_CACHE_LIMITS, assetSource, cacheLimitsFor, loadSearchIndex, type ArtefactSource, type SearchIndex } from '../../src/search-index'
import { countingSource } from './helpers'
import { MIN_SNIPPET_DEMAND, QUERY_OPTIONS, planQuery, search, snippetDemand, toHit } from '../../src/search'

const env = testEnv as unknown as Bindings

/**
 * Levenshtein distance, the textbook way, except that an edit touching the
 * first character of either string costs `firstEditCost` (the weighted form
 * that `Dictionary.fuzzy` walks).
 */
function levenshtein(a: string, b: string, firstEditCost = 1): number {
  const insert = (j: number) => (j === 1 ? firstEditCost : 1)
  let previous = [0]
  for (let j = 1; j <= b.length; j++) previous[j] = previous[j - 1]! + insert(j)
  for (let i = 1; i <= a.length; i++) {
    const edit = i === 1 ? firstEditCost : 1
    const row = [previous[0]! + edit]
    for (let j = 1; j <= b.length; j++) {
      const substitute = a[i - 1] === b[j - 1] ? 0 : j === 1 ? firstEditCost : edit
      row[j] = Math.min(previous[j - 1]! + substitute, previous[j]! + edit, row[j - 1]! + insert(j))
    }
    previous = row
  }
  return previous[b.length]!
}

let index: SearchIndex
let terms: string[]

beforeAll(async () => {
  index = await loadSearchIndex(assetSource(env.ASSETS))
  const dict = index.engine.dictionary
  terms = Array.from({ length: dict.termCount }, (_, t) => dict.term(t))
})

describe('varints', () => {
  it('round-trip, including 7-bit boundaries and large values', () => {
    const values = [0, 1, 127, 128, 255, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 31, 2 ** 32 - 1]
    const bytes = encodeVarints(values)
    expect(Array.from(encodeVarints([0, 127, 128, 300]))).toEqual([0x00, 0x7f, 0x80, 0x01, 0xac, 0x02])
    expect(decodeVarints(bytes)).toEqual(values)
    expect(() => decodeVarints(Uint8Array.from([0x80]))).toThrow(/truncated/)
  })
})

describe('dictionary', () => {
  it('is sorted by code units and finds every term (and no other)', () => {
    for (let t = 1; t < terms.length; t++) expect(terms[t - 1]! < terms[t]!).toBe(true)
    const dict = index.engine.dictionary
    for (let t = 0; t < terms.length; t += 97) expect(dict.find(terms[t]!)).toBe(t)
    for (const missing of ['', 'zzzzzzzz', 'oilx', '__proto__', 'constructorz', 'Oil']) expect(dict.find(missing), missing).toBe(-1)
    expect(dict.find('oil')).toBeGreaterThanOrEqual(0)
  })

  it('gives the exact prefix range', () => {
    const dict = index.engine.dictionary
    for (const prefix of ['oil', 'pet', 'a', 'zz', 'compu', 'qqqq', '1987', 'é']) {
      const [lo, hi] = dict.prefixRange(prefix)
      const expected = terms.flatMap((term, t) => (term.startsWith(prefix) ? [t] : []))
      expect(hi - lo, prefix).toBe(expected.length)
      if (expected.length) expect([lo, hi - 1]).toEqual([expected[0], expected.at(-1)])
    }
  })

  it.each([1, 2])('finds by fuzzy walk exactly the terms a Levenshtein with first-edit cost %i finds', (firstEditCost) => {
    const dict = index.engine.dictionary
    let matched = 0
    for (const [query, max] of [['petrolium', 2], ['crdue', 1], ['oil', 1], ['opec', 2], ['exprts', 1], ['ab', 2], ['x', 1], ['reagan', 3], ['markets', 1], ['xarket', 2]] as const) {
      const found = new Map<string, number>()
      dict.fuzzy(query, max, (t, distance) => found.set(terms[t]!, distance), firstEditCost)
      const expected = new Map<string, number>()
      for (const term of terms) {
        if (Math.abs(term.length - query.length) > max) continue
        const distance = levenshtein(query, term, firstEditCost)
        if (distance <= max) expected.set(term, distance)
      }
      expect(found, `${query} ≤ ${max}`).toEqual(expected)
      matched += found.size
    }
    expect(matched).toBeGreaterThan(20)
  })

  it('keeps the first letter of a one-typo word when a first edit costs 2', () => {
    const dict = index.engine.dictionary
    const within = (query: string, cost: number) => {
      const found: string[] = []
      dict.fuzzy(query, 1, (t) => found.push(terms[t]!), cost)
      return found
    }
    // "xarket" is one substitution from "market", on its first letter.
    expect(within('xarket', 1)).toContain('market')
    expect(within('xarket', 2)).not.toContain('market')
    // "markat" keeps it.
    expect(within('markat', 2)).toContain('market')
    for (const term of within('market', 2)) expect(term[0]).toBe('m')
  })
})

describe('engine', () => {
  it('caps prefix expansion at the most frequent terms', async () => {
    const { engine } = index
    const plan = engine.plan('com', { prefix: true })
    const [lo, hi] = engine.dictionary.prefixRange('com')
    expect(hi - lo).toBeGreaterThan(MAX_EXPANSIONS + 1)
    expect(plan.specs[0]!.derived.length).toBe(MAX_EXPANSIONS + (engine.dictionary.find('com') >= 0 ? 1 : 0))
    const kept = new Set(plan.specs[0]!.derived)
    const minKept = Math.min(...[...kept].map((t) => engine.dictionary.totalDf(t)))
    for (let t = lo; t < hi; t++) if (!kept.has(t)) expect(engine.dictionary.totalDf(t)).toBeLessThanOrEqual(minKept)
    expect(engine.plan('com', { prefix: true, maxExpansions: Infinity }).specs[0]!.derived.length).toBe(hi - lo)
  })

  it('refuses a dictionary of another format', () => {
    const layout = index.manifest.index
    expect(() => new Engine({ layout, terms: new Uint8Array(64), docs: new Uint8Array(64), postings: memoryPostings([]) })).toThrow(/format version 4/)
  })

  it('answers the same while its 16-bit term clock wraps around, mid-query included', async () => {
    // AND, OR, phrase, prefix, typo and exclusion: every path that stamps terms, with the Worker's BM25F re-score.
    const queries = ['oil prices', 'wheat OR corn OR sugar', '"crude oil" -opec', 'bank rate cut', 'expo', 'petrolium exports', 'gold silver copper']
    const run = async () => {
      const out: string[] = []
      for (const q of queries) {
        const { plan } = planQuery(index, q)
        await index.engine.load(plan)
        const matches = index.engine.execute(plan)
        out.push(Array.from(matches.docs, (doc, i) => `${doc}:${matches.scores[i]}`).join(' '))
      }
      return out
    }
    const before = await run()
    expect(before.every((line) => line.length > 0)).toBe(true)
    // Each start point puts the wrap inside a different query (the clock is private to the engine; set here only).
    const clock = index.engine as unknown as { termClock: number }
    for (let start = 0xffff - 40; start <= 0xffff; start += 3) {
      clock.termClock = start
      expect(await run()).toEqual(before)
      expect(clock.termClock).toBeLessThan(start)
    }
  })
})

describe('memoised term and clause scores', () => {
  /** Each document's score, as a map (the order of a result's documents is not its ranking). */
  const scores = (m: { count: number; docs: Int32Array; scores: Float64Array }) => new Map(Array.from({ length: m.count }, (_, i) => [m.docs[i]!, m.scores[i]!]))
  const QUERIES = [
    'dlrs year company corp last about billion bank stock market april share', // AND of common words: relaxes
    '"crude oil" "opec output" "saudi arabia"', // AND of phrases: relaxes
    'putin cocoa', // relaxes
    'wheat OR corn grain -"soybean meal"',
    'oil -gasoline "crude oil" OR opec',
  ]

  it.each(QUERIES)('give the same OR answer after an AND as a fresh plan does, bit for bit: %s', async (q) => {
    const { engine } = index
    const relaxed = planQuery(index, q).plan
    await engine.load(relaxed)
    const and = engine.execute(relaxed)
    // Scored once with the AND (memoised, shared), then reused by the OR and by a second run of each.
    const or = engine.execute({ ...relaxed, and: false })
    expect(scores(engine.execute(relaxed))).toEqual(scores(and))
    expect(scores(engine.execute({ ...relaxed, and: false }))).toEqual(scores(or))
    const fresh = planQuery(index, q).plan
    await engine.load(fresh)
    const direct = engine.execute({ ...fresh, and: false })
    expect(direct.count).toBeGreaterThan(0)
    expect(scores(or)).toEqual(scores(direct))
  })
})

describe('BM25F and proximity (the Worker\'s ranking)', () => {
  /** Scores by document of a plain OR query, ranked with `bm25f` (null: MiniSearch's BM25+). */
  const scored = async (words: string[], bm25f: EngineSearchOptions['bm25f'], options: EngineSearchOptions = {}) => {
    const input = { groups: words.map((word) => [{ terms: [word], offsets: null, exact: true }]), excluded: [] }
    const plan = index.engine.planInput(input, { ...QUERY_OPTIONS, ...options, bm25f, combineWith: 'OR' })
    await index.engine.load(plan)
    const matches = index.engine.execute(plan)
    return new Map(Array.from(matches.docs, (doc, i) => [doc, matches.scores[i]!]))
  }

  it('re-scores the same matches: BM25+ and BM25F find the same articles', async () => {
    const before = await scored(['oil', 'price'], null)
    const after = await scored(['oil', 'price'], QUERY_OPTIONS.bm25f)
    expect(after.size).toBeGreaterThan(500)
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
  })

  it('adds a proximity bonus where the words stand together, and takes nothing away', async () => {
    const bm25f = QUERY_OPTIONS.bm25f!
    const without = await scored(['oil', 'price'], { ...bm25f, proximity: null })
    const withBonus = await scored(['oil', 'price'], bm25f)
    let raised = 0
    for (const [doc, score] of withBonus) {
      expect(score).toBeGreaterThanOrEqual(without.get(doc)!)
      if (score > without.get(doc)!) raised++
    }
    expect(raised).toBeGreaterThan(100)
    // 11723 "OIL PRICES SAID NOW BASED ON FUTURES PRICE": the words adjacent in its title.
    const n = index.numberOf('11723')!
    expect(withBonus.get(n)!).toBeGreaterThan(without.get(n)!)
  })

  it('looks for the words together only in the fields they are scoped to', async () => {
    // title:oil title:price, OR: a story may match by its title, but a bonus may only come from its title.
    const input = { groups: ['oil', 'price'].map((word) => [{ terms: [word], offsets: null, exact: true, field: 'title' }]), excluded: [] }
    const run = async (bm25f: EngineSearchOptions['bm25f']) => {
      const plan = index.engine.planInput(input, { ...QUERY_OPTIONS, bm25f, combineWith: 'OR' })
      await index.engine.load(plan)
      const matches = index.engine.execute(plan)
      return new Map(Array.from(matches.docs, (doc, i) => [doc, matches.scores[i]!]))
    }
    const without = await run({ ...QUERY_OPTIONS.bm25f!, proximity: null })
    const withBonus = await run(QUERY_OPTIONS.bm25f)
    const raised = [...withBonus].filter(([doc, score]) => score > without.get(doc)!).map(([doc]) => doc)
    expect(raised.length).toBeGreaterThan(5)
    for (const article of await index.articles(raised)) {
      const terms = analyze(article!.title)
      expect(terms, article!.title).toContain('oil')
      expect(terms, article!.title).toContain('price')
    }
  })

  it('counts a word found in several text fields as one piece of evidence: one saturation', async () => {
    // BM25F's score of a one-word query over the text fields is at most idf · (k + 1), idf from the largest
    // per-field df; the sum of per-field BM25+ passes that bound where the word is in the title and the body.
    const { dictionary, fields, layout } = index.engine
    const F = fields.length
    const t = dictionary.find('opec')
    let df = 0
    for (let f = 0; f < F; f++) if (fields[f] !== 'topics') df = Math.max(df, dictionary.df[t * F + f]!)
    const bound = Math.log(1 + (layout.documentCount - df + 0.5) / (df + 0.5)) * (QUERY_OPTIONS.bm25f!.k + 1)
    const text = { fields: ['title', 'summary', 'body'] }
    const bm25f = await scored(['opec'], QUERY_OPTIONS.bm25f, text)
    const bm25plus = await scored(['opec'], null, text)
    expect(bm25f.size).toBeGreaterThan(100)
    for (const score of bm25f.values()) expect(score).toBeLessThanOrEqual(bound * (1 + 1e-12))
    expect(Math.max(...bm25plus.values())).toBeGreaterThan(bound)
  })
})

describe('rank', () => {
  it('keeps as the best k exactly the head of the full order, ties and date order included', async () => {
    const { engine } = index
    // Many equal scores: one-word queries over the topics field, and a relaxed OR of common words.
    for (const q of ['grain', 'dlrs OR year OR company OR bank', 'acq']) {
      const { plan } = planQuery(index, q)
      await engine.load(plan)
      let matches = engine.execute(plan)
      if (matches.count === 0) matches = engine.execute({ ...plan, and: false })
      expect(matches.count, q).toBeGreaterThan(500)
      const keepOdd = (doc: number) => doc % 2 === 1
      for (const order of ['score', 'date'] as const) {
        for (const keep of [undefined, keepOdd]) {
          const full = Array.from(engine.rank(matches, Infinity, keep, order))
          for (const k of [1, 20, 333]) expect(Array.from(engine.rank(matches, k, keep, order)), `${q} ${order} ${k}`).toEqual(full.slice(0, k))
        }
      }
      const scores = Array.from(engine.rank(matches, Infinity), (i) => matches.scores[i]!)
      expect(new Set(scores).size, q).toBeLessThan(scores.length)
    }
  })
})

describe('browse (empty query)', () => {
  // What a walk over every document gives: the numbers carrying any of the topics (all of them with none), in order.
  const walk = (slugs: string[]) => {
    const ids = new Set(slugs.map((slug) => index.topicIdBySlug.get(slug)))
    const { count, topicStart, topicIds } = index.engine.docs
    const found: number[] = []
    for (let n = 0; n < count; n++) {
      if (ids.size === 0 || Array.from(topicIds.subarray(topicStart[n]!, topicStart[n + 1]!)).some((id) => ids.has(id))) found.push(n)
    }
    return found
  }

  it('stops at the page but counts every match, with one topic, several, or none', async () => {
    const counts = index.manifest.topics.map((topic): [string, number] => [topic.slug, walk([topic.slug]).length])
    const bySize = counts.filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1])
    const largest = bySize[0]![0]
    const rarest = bySize.at(-1)![0]
    const filters: string[][] = [[], [largest], [rarest], [largest, bySize[1]![0]], [largest, largest]]
    for (const slugs of filters) {
      const expected = walk(slugs)
      const pages: [limit: number, offset: number][] = [[10, 0], [5, 20], [100, Math.max(0, expected.length - 3)]]
      for (const [limit, offset] of pages) {
        const answer = await search(index, { q: '', topics: slugs, limit, offset })
        expect(answer.total, slugs.join()).toBe(expected.length)
        expect(answer.hits.map((hit) => hit.id), `${slugs.join()} ${limit} ${offset}`).toEqual(expected.slice(offset, offset + limit).map((n) => index.ids.at(n)))
        // Facets in browse mode count every document in view, whatever the topic filter.
        expect(new Map(answer.facets.topics.map((facet) => [facet.slug, facet.count]))).toEqual(new Map(bySize))
      }
    }
  })
})

describe('snippetDemand', () => {
  it('covers the whole text of more than 9 in 10 stories, and an opening for those the index counts nothing of', async () => {
    const numbers = Array.from({ length: 400 }, (_, i) => i * 53)
    const articles = await index.articles(numbers)
    let covered = 0
    let empty = 0
    articles.forEach((article, i) => {
      const demand = snippetDemand(index, numbers[i]!)
      expect(demand).toBeGreaterThanOrEqual(MIN_SNIPPET_DEMAND)
      if (demand >= Math.max(article.body.length, article.summary.length)) covered++
      if (article.body === '' && article.summary === '') {
        empty++
        expect(demand).toBe(MIN_SNIPPET_DEMAND)
      }
    })
    expect(covered / numbers.length).toBeGreaterThan(0.9)
    expect(empty).toBeGreaterThan(0)
  })
})

describe('matchedTerms', () => {
  it('marks the same words in every hit as the terms explain() gives, from the masks where it can', async () => {
    const { engine } = index
    const queries = ['oil prices', 'argentnia wheat exports', 'opec OR saudi', '"crude oil" -gasoline', 'title:opec output', 'compu', 'dlrs year company corp last about billion bank stock']
    let checked = 0
    let wider = 0
    for (const q of queries) {
      const { plan } = planQuery(index, q)
      await engine.load(plan)
      let matches = engine.execute(plan)
      let active = plan
      if (matches.count === 0) matches = engine.execute((active = { ...plan, and: false }))
      const page = Array.from(engine.rank(matches, 20))
      const docs = page.map((i) => matches.docs[i]!)
      const fast = engine.matchedTerms(active, docs, page.map((i) => matches.masks![i]!))
      const slow = engine.explain(active, docs)
      const articles = await index.articles(docs)
      docs.forEach((doc, i) => {
        const exact = new Set(slow.get(doc)!.terms)
        const superset = new Set(fast.get(doc))
        for (const term of exact) expect(superset.has(term), `${q}: ${doc} ${term}`).toBe(true)
        if (superset.size > exact.size) wider++
        const [a, b] = [toHit(index, articles[i]!, 0, superset), toHit(index, articles[i]!, 0, exact)]
        expect([a.snippet, a.titleHtml], `${q}: ${doc}`).toEqual([b.snippet, b.titleHtml])
        expect(a.snippet + a.titleHtml, `${q}: ${doc}`).toContain('<mark>')
        checked++
      })
    }
    expect(checked).toBeGreaterThan(100)
    expect(wider).toBeGreaterThan(10)
  })
})

describe('format version', () => {
  it('refuses an unknown version: the app answers 503 index_unavailable', async () => {
    const inner = assetSource(env.ASSETS)
    const future: ArtefactSource = {
      json: async <T>(name: string) => {
        const value = await inner.json<T>(name)
        return (name === FILES.manifest ? { ...(value as Manifest), formatVersion: 5 } : value) as T
      },
      bytes: inner.bytes,
    }
    await expect(loadSearchIndex(future)).rejects.toThrow(/index format version 5 is not supported \(this Worker reads version 4\)/)
    const app = createApp(() => loadSearchIndex(future))
    const response = await app.fetch(new Request('http://search.test/search?q=oil'), env)
    expect(response.status).toBe(503)
    expect(((await response.json()) as any).error.code).toBe('index_unavailable')
  })
})

describe('fragments', () => {
  it('are fetched only for the hits of the page, and cached', async () => {
    const source = countingSource()
    const fresh = await loadSearchIndex(source)
    expect(source.reads.sort()).toEqual([FILES.docs, FILES.ids, FILES.manifest, FILES.terms].sort())
    const page = await search(fresh, { q: 'oil prices', topics: [], limit: 10, offset: 0 })
    expect(page.total).toBeGreaterThan(100)
    const fragments = source.reads.filter((name) => name.startsWith('articles/'))
    expect(fragments.length).toBeGreaterThan(0)
    expect(fragments.length).toBeLessThanOrEqual(10)
    const per = fresh.manifest.index.fragments.perFragment
    const expected = new Set(page.hits.map((hit) => `articles/${Math.floor(fresh.numberOf(hit.id)! / per)}.json`))
    expect(new Set(fragments)).toEqual(expected)
    const before = source.reads.length
    await search(fresh, { q: 'oil prices', topics: [], limit: 10, offset: 0 })
    expect(source.reads.length).toBe(before) // chunks and fragments cached
    await search(fresh, { q: 'qqqqzzzz', topics: [], limit: 10, offset: 0 })
    expect(source.reads.filter((name) => name.startsWith('articles/')).length).toBe(fragments.length)
  })
})

describe('warming the chunks and the article packs', () => {
  const total = (sizes: number[]) => sizes.reduce((sum, size) => sum + size, 0)

  it('loads every chunk not yet cached of each kind whose chunks all fit in its cache, and nothing of the others', async () => {
    const source = countingSource()
    const fresh = await loadSearchIndex(source)
    const { postings, positions } = fresh.manifest.index
    await search(fresh, { q: 'oil', topics: [], limit: 1, offset: 0 })
    const before = fresh.cacheStats().postingsChunks
    expect(before).toBeGreaterThan(0)
    expect(fresh.cacheStats().positionsChunks).toBe(0)
    expect(await fresh.warm()).toBe(postings.files.length - before + positions.files.length)
    expect(fresh.cacheStats()).toMatchObject({ postingsChunks: postings.files.length, positionsChunks: positions.files.length })
    const read = (kind: string) => source.reads.filter((name) => name.startsWith(kind)).sort()
    expect(read('postings/')).toEqual([...postings.files].sort())
    expect(read('positions/')).toEqual([...positions.files].sort())
    expect(fresh.cacheStats().packs).toBe(0) // packs come after, one a step

    const neither = await loadSearchIndex(assetSource(env.ASSETS), { postingsBytes: total(postings.bytes) - 1, positionsBytes: total(positions.bytes) - 1 })
    expect(await neither.warm()).toBe(2) // no chunk to load: the first step loads the packs' dictionary and first pack
    expect(neither.cacheStats()).toMatchObject({ postingsChunks: 0, positionsChunks: 0 })
    const postingsOnly = await loadSearchIndex(assetSource(env.ASSETS), { postingsBytes: total(postings.bytes), positionsBytes: total(positions.bytes) - 1 })
    expect(await postingsOnly.warm()).toBe(postings.files.length)
    expect(postingsOnly.cacheStats().positionsChunks).toBe(0)
  })

  it('then loads one article pack a step, after which a query fetches no fragment, and answers the same', async () => {
    const source = countingSource()
    const fresh = await loadSearchIndex(source)
    const { packs } = fresh.manifest.index
    expect(packs.files.length).toBeGreaterThan(1)
    await search(fresh, { q: 'wheat exports', topics: [], limit: 10, offset: 0 })
    expect(fresh.cacheStats().fragments).toBeGreaterThan(0)
    expect(await fresh.warm()).toBeGreaterThan(0) // the chunks
    for (let p = 1; p <= packs.files.length; p++) {
      expect(await fresh.warm()).toBe(p === 1 ? 2 : 1) // the dictionary comes with the first pack
      expect(fresh.cacheStats().packs).toBe(p)
    }
    expect(await fresh.warm()).toBe(0)
    expect(fresh.cacheStats().fragments).toBe(0) // the fragments cached before are dropped
    const dictionary = (await assetSource(env.ASSETS).bytes(FILES.packDictionary)).byteLength
    expect(fresh.cacheStats().packBytes).toBe(total(packs.bytes) + dictionary)
    expect(source.reads.filter((name) => name.startsWith('articles/pack-')).sort()).toEqual([...packs.files].sort())
    const cold = await loadSearchIndex(assetSource(env.ASSETS))
    for (const q of ['wheat exports', 'oil pri', '"crude oil" -opec', 'title:coffee', '']) {
      const before = source.reads.length
      const request = { q, topics: [], limit: 20, offset: 0 }
      expect(await search(fresh, request), q).toEqual(await search(cold, request))
      expect(source.reads.slice(before), q).toEqual([])
    }
  })

  it('reads from the packs the same articles as from their fragment files: first and last of every pack, and a sample', async () => {
    const fresh = await loadSearchIndex(assetSource(env.ASSETS))
    while ((await fresh.warm()) > 0);
    const cold = await loadSearchIndex(assetSource(env.ASSETS))
    const { packs, localDocumentCount } = fresh.manifest.index
    expect(packs.firstArticle[0]).toBe(0)
    expect(packs.firstArticle.at(-1)).toBe(localDocumentCount)
    expect(packs.firstArticle).toEqual([...packs.firstArticle].sort((a, b) => a - b))
    const numbers = new Set<number>()
    for (const n of packs.firstArticle) for (const m of [n - 1, n]) if (m >= 0 && m < localDocumentCount) numbers.add(m)
    for (let n = 0; n < localDocumentCount; n += 97) numbers.add(n)
    const sample = [...numbers]
    expect(await fresh.articles(sample)).toEqual(await cold.articles(sample))
    expect(fresh.cacheStats()).toMatchObject({ fragmentFetches: 0, fragments: 0 })
  })

  it('refuses a pack that is not the one the manifest names, reads its articles from the fragments, and goes on to the next pack', async () => {
    const inner = assetSource(env.ASSETS)
    const { packs } = (await loadSearchIndex(inner)).manifest.index
    const shifted: ArtefactSource = { json: inner.json, bytes: (name) => inner.bytes(name === packs.files[0] ? packs.files[1]! : name) }
    const fresh = await loadSearchIndex(shifted)
    await fresh.warm() // the chunks
    await expect(fresh.warm()).rejects.toThrow(`${packs.files[0]}: not the article pack of articles 0–${packs.firstArticle[1]! - 1} of format version 4`)
    const page = await search(fresh, { q: 'wheat exports', topics: [], limit: 10, offset: 0 })
    expect(page.hits.length).toBe(10)
    expect(fresh.cacheStats()).toMatchObject({ packs: 0 })
    expect(fresh.cacheStats().fragmentFetches).toBeGreaterThan(0)
    // Not tried again: the next steps load the other packs, then there is nothing left.
    for (let p = 1; p < packs.files.length; p++) expect(await fresh.warm()).toBe(1)
    expect(await fresh.warm()).toBe(0)
    expect(fresh.cacheStats().packs).toBe(packs.files.length - 1)
  })

  it('are within their budget on the bundled index: every article in memory, compressed', () => {
    const { packs } = index.manifest.index
    expect(packs.dictionary).toBe(FILES.packDictionary)
    expect(total(packs.bytes)).toBeLessThanOrEqual(MAX_PACKED_ARTICLE_BYTES)
    const articles = (p: number) => packs.firstArticle[p + 1]! - packs.firstArticle[p]!
    const compressed = (p: number) => packs.bytes[p]! - 4 * (3 + articles(p) + 1) // less the header
    expect(packs.files.every((_, p) => compressed(p) <= MAX_PACK_BYTES || articles(p) === 1)).toBe(true)
  })

  it('covers the bundled index: its postings and positions fit in the default caches', () => {
    const { postings, positions } = index.manifest.index
    expect(total(postings.bytes)).toBeLessThanOrEqual(DEFAULT_CACHE_LIMITS.postingsBytes)
    expect(total(positions.bytes)).toBeLessThanOrEqual(DEFAULT_CACHE_LIMITS.positionsBytes)
  })

  it('starts after the first answer of the app, and changes no answer', async () => {
    const fresh = await loadSearchIndex(assetSource(env.ASSETS))
    const files = fresh.manifest.index.postings.files.length + fresh.manifest.index.positions.files.length
    const app = createApp(async () => fresh)
    expect((await app.request('/search?q=wheat+exports', {}, env)).status).toBe(200)
    const cached = () => fresh.cacheStats().postingsChunks + fresh.cacheStats().positionsChunks
    for (let wait = 0; wait < 100 && cached() < files; wait++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(cached()).toBe(files)
    // Then one pack after each later answer, one step at a time.
    const packs = fresh.manifest.index.packs.files.length
    for (let answer = 1; answer <= packs + 1 && fresh.cacheStats().packs < packs; answer++) {
      expect((await app.request('/search?q=wheat+exports', {}, env)).status).toBe(200)
      for (let wait = 0; wait < 100 && fresh.cacheStats().packs < Math.min(answer, packs); wait++) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(fresh.cacheStats().packs).toBe(Math.min(answer, packs))
    }
    const cold = await loadSearchIndex(assetSource(env.ASSETS))
    for (const q of ['wheat exports', 'oil pri', '"crude oil" -opec', 'title:coffee']) {
      const request = { q, topics: [], limit: 10, offset: 0 }
      expect(await search(fresh, request), q).toEqual(await search(cold, request))
    }
  })
})

describe('fragment files', () => {
  const utf8 = new TextDecoder()
  const source = assetSource(testEnv.ASSETS)

  it('hold one article a line, and one article parses alone to what the whole file parses to', async () => {
    const { count } = (await source.json<Manifest>(FILES.manifest)).index.fragments
    let newlines = 0
    for (const k of [0, 1, Math.floor(count / 2), count - 1]) {
      const bytes = await source.bytes(FILES.fragment(k))
      const whole = JSON.parse(utf8.decode(bytes)) as ArticleFragment
      expect(utf8.decode(bytes)).toBe(fragmentText(whole))
      expect(fragmentHeader(bytes, utf8)).toEqual({ ...whole, articles: [] })
      whole.articles.forEach((article, i) => expect(fragmentArticle(bytes, i, utf8)).toEqual(article))
      expect(fragmentArticle(bytes, whole.articles.length, utf8)).toBeUndefined()
      expect(fragmentArticle(bytes, whole.articles.length + 5, utf8)).toBeUndefined()
      newlines += whole.articles.filter((article) => article.body.includes('\n')).length
    }
    expect(newlines).toBeGreaterThan(0) // newlines inside the text are escaped, so they never split a line
  })

  it('are read the same when written as one line, as any fragment JSON may be', async () => {
    const whole = await source.json<ArticleFragment>(FILES.fragment(0))
    const oneLine = new TextEncoder().encode(JSON.stringify(whole))
    expect(fragmentHeader(oneLine, utf8)).toEqual({ ...whole, articles: [] })
    whole.articles.forEach((article, i) => expect(fragmentArticle(oneLine, i, utf8)).toEqual(article))
    expect(fragmentArticle(oneLine, whole.articles.length, utf8)).toBeUndefined()
  })
})

describe('shards with global statistics', () => {
  it('4 shards, merged by score, give the single index top-20', async () => {
    const shardCount = 4
    const manifest = await assetSource(env.ASSETS).json<Manifest>('shard-0/manifest.json')
    expect(manifest.index.shard?.count, 'npm test builds with --shards 4').toBe(shardCount)
    const shards = await Promise.all(Array.from({ length: shardCount }, (_, i) => loadSearchIndex(countingSource(`shard-${i}/`))))
    expect(shards.reduce((sum, shard) => sum + shard.engine.docs.count, 0)).toBe(index.engine.docs.count)
    const queries = ['oil', 'oil prices', 'crude oil exports', 'opec', 'wheat', 'bank rate', 'reagan', 'petrolium', 'japan trade surplus', 'coffee', 'gold', 'compu', 'dollar yen', 'putin syria', 'earnings per share']
    for (const q of queries) {
      for (const combineWith of ['AND', 'OR'] as const) {
        const options = { ...QUERY_OPTIONS, combineWith, boost: FIELD_BOOSTS }
        const { matches } = await index.engine.match(q, options)
        const single = Array.from(index.engine.rank(matches, 20), (i) => ({ id: matches.docs[i]!, score: matches.scores[i]! }))
        const merged: { id: number; score: number }[] = []
        for (const shard of shards) {
          const { matches: local } = await shard.engine.match(q, options)
          for (const i of shard.engine.rank(local, 20)) merged.push({ id: shard.engine.docBase + local.docs[i]!, score: local.scores[i]! })
        }
        merged.sort((a, b) => b.score - a.score || a.id - b.id)
        expect(merged.slice(0, 20), `${q} ${combineWith}`).toEqual(single)
        for (const hit of merged.slice(0, 3)) {
          const shard = shards.find((s) => hit.id >= s.engine.docBase && hit.id < s.engine.docBase + s.engine.docs.count)!
          expect(shard.ids.at(hit.id - shard.engine.docBase)).toBe(index.ids.at(hit.id))
        }
      }
    }
  })
})

describe('cache limits that fit the heap budget', () => {
  it('gives the bundled index the largest caches, and a large index smaller ones, never below the least', async () => {
    const source = assetSource(env.ASSETS)
    const tableBytes = (await Promise.all([FILES.terms, FILES.docs, FILES.ids].map((name) => source.bytes(name)))).reduce((sum, bytes) => sum + bytes.byteLength, 0)
    expect(cacheLimitsFor(tableBytes)).toEqual(DEFAULT_CACHE_LIMITS)
    expect((await loadSearchIndex(source)).cacheStats().limits).toEqual(DEFAULT_CACHE_LIMITS)
    // A 100k shard of the 1M synthetic build: 8.4 MB of tables, about half the caches.
    const shard = cacheLimitsFor(8_383_952)
    expect(shard.postingsBytes).toBeGreaterThan(MIN_CACHE_LIMITS.postingsBytes)
    expect(shard.postingsBytes).toBeLessThan(DEFAULT_CACHE_LIMITS.postingsBytes)
    expect(shard.articles).toBeGreaterThanOrEqual(MIN_CACHE_LIMITS.articles)
    // 200k articles in one Worker (13 MB of tables) and beyond: the least.
    expect(cacheLimitsFor(13_045_823)).toEqual(MIN_CACHE_LIMITS)
    expect(cacheLimitsFor(1e9)).toEqual(MIN_CACHE_LIMITS)
    // Explicit limits win.
    expect((await loadSearchIndex(source, { articles: 7 })).cacheStats().limits).toEqual({ ...DEFAULT_CACHE_LIMITS, articles: 7 })
  })
})

describe('chunks held for the query that loaded them', () => {
  it('answers as usual when the caches cannot keep a single chunk (each query holds what it loaded)', async () => {
    // Caches of 1 byte evict every chunk as soon as the next one arrives: before the plan held its chunks,
    // a query reading more than the cache held failed with "postings chunk N is not loaded" (a 500).
    const starved = await loadSearchIndex(assetSource(env.ASSETS), { postingsBytes: 1, positionsBytes: 1, articles: 1 })
    for (const q of ['"crude oil" OR wheat OR gold OR dollar OR coffee', 'bank rate -england', 'title:"oil prices" opec']) {
      const request = { q, topics: [], limit: 20, offset: 0 }
      const expected = await search(index, request)
      const got = await search(starved, request)
      expect(got.total, q).toBeGreaterThan(0)
      expect(got.hits.map((hit) => [hit.id, hit.score]), q).toEqual(expected.hits.map((hit) => [hit.id, hit.score]))
    }
    expect(starved.cacheStats().postingsChunks).toBeLessThanOrEqual(1)
  })
})
