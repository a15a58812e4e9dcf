import { env as testEnv } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Bindings } from '../../src/app'
import { SEARCH_RESPONSE } from '../../src/api-schema'
import { assetSource, loadSearchIndex, type SearchIndex } from '../../src/search-index'
import { MAX_TYPO_TERMS, QUERY_OPTIONS, typoDistance } from '../../src/search'
import { processTerm, tokenize } from '../../src/analyzer'
import { getJson, getPages } from './helpers'

/**
 * The query language end to end, inside workerd over the bundled Reuters
 * data: each syntax element with a real query that shows it works, checked
 * against the articles themselves (`/articles/:id`), and with a contrast that
 * would fail if the element were ignored.
 */

const env = testEnv as unknown as Bindings

async function search(query: string, extra = ''): Promise<any> {
  const { status, body } = await getPages(`/search?q=${encodeURIComponent(query)}${extra}`)
  expect(status, `${query} ${JSON.stringify(body)}`).toBe(200)
  SEARCH_RESPONSE.parse(body)
  return body
}

/** Every hit id of a query (pages of 100, at most `max`). */
async function allIds(query: string, max = 1100): Promise<string[]> {
  const ids: string[] = []
  for (let offset = 0; offset < max && offset <= 1000; offset += 100) {
    const body = await search(query, `&limit=100&offset=${offset}`)
    ids.push(...body.hits.map((hit: any) => hit.id))
    if (offset + 100 >= body.total) break
  }
  return ids
}

async function article(id: string): Promise<any> {
  const { status, body } = await getJson(`/articles/${encodeURIComponent(id)}`)
  expect(status).toBe(200)
  return body
}

/** Title, summary, body and topics of an article, as one text. */
async function textOf(id: string): Promise<string> {
  const a = await article(id)
  return [a.title, a.summary, a.body, a.topics.join(' ')].join('\n')
}

describe('phrases', () => {
  it('"crude oil" finds fewer articles than crude oil, each with the two words adjacent', async () => {
    const bag = await search('crude oil')
    const phrase = await search('"crude oil"', '&limit=100')
    expect(phrase.total).toBeGreaterThan(100)
    expect(phrase.total).toBeLessThan(bag.total)
    expect(phrase.notices).toEqual([])
    for (const hit of phrase.hits) expect(await textOf(hit.id), hit.id).toMatch(/\bcrudes?[^\p{L}\p{N}]+oils?\b/iu)
    // An article of the bag with both words, never adjacent, is not a phrase hit.
    const phraseIds = new Set(await allIds('"crude oil"'))
    let apart: string | undefined
    for (const hit of (await search('crude oil', '&limit=100')).hits) {
      if (!/\bcrudes?[^\p{L}\p{N}]+oils?\b/iu.test(await textOf(hit.id))) {
        apart = hit.id
        break
      }
    }
    expect(apart).toBeDefined()
    expect(phraseIds.has(apart!)).toBe(false)
  })

  it('a stop word keeps its place: "bank of england" matches Bank of England, not Bank New England', async () => {
    const phrase = await search('"bank of england"', '&limit=100')
    const bag = await allIds('bank england')
    expect(bag).toContain('11922') // BANK NEW ENGLAND <BKNE> FILES NOTE OFFERING
    const phraseIds = await allIds('"bank of england"')
    expect(phraseIds).not.toContain('11922')
    expect(phrase.hits[0].title).toMatch(/^BANK OF ENGLAND/)
    for (const hit of phrase.hits) expect(await textOf(hit.id), hit.id).toMatch(/\bbank[^\p{L}\p{N}]+[a-z]+[^\p{L}\p{N}]+england\b/iu)
  })

  it('scores a phrase as the sum of its terms: same scores as the words where both match', async () => {
    const phrase = await search('"crude oil"', '&limit=5')
    const bag = await search('crude oil', '&limit=100')
    const bagScore = new Map(bag.hits.map((hit: any) => [hit.id, hit.score]))
    for (const hit of phrase.hits) if (bagScore.has(hit.id)) expect(hit.score).toBeCloseTo(bagScore.get(hit.id) as number, 9)
  })
})

describe('exclusion', () => {
  it('"oil" -gasoline: no hit has the word, and the two sides add up to all oil articles', async () => {
    // "oil" in quotes: exact, no prefix, on all three sides.
    const oil = await search('"oil"')
    const without = await search('"oil" -gasoline', '&limit=100')
    const withWord = await search('"oil" "gasoline"')
    expect(oil.total).toBeGreaterThan(without.total)
    expect(withWord.total).toBeGreaterThan(0)
    expect(without.total + withWord.total).toBe(oil.total)
    for (const hit of without.hits.slice(0, 60)) expect(await textOf(hit.id), hit.id).not.toMatch(/\bgasolines?\b/i)
  })

  it('browsing with exclusions: every article but those with the word or the phrase', async () => {
    const all = (await search('')).total
    const gasoline = await search('"gasoline"')
    const crudeOil = await search('"crude oil"')
    const both = await search('"gasoline" "crude oil"')
    expect(both.relaxed).toBe(false)
    expect(both.total).toBeGreaterThan(0)
    // A positive word of stop words only leaves a browse (exclusions alone would search the excluded words instead).
    expect((await search('the -gasoline')).total).toBe(all - gasoline.total)
    expect((await search('the -gasoline -"crude oil"')).total).toBe(all - (gasoline.total + crudeOil.total - both.total))
  })

  it('-"phrase" removes the articles with the phrase only', async () => {
    const prices = await search('prices')
    const without = await search('prices -"crude oil"')
    const phrase = await search('prices "crude oil"')
    expect(without.total + phrase.total).toBe(prices.total)
    expect(phrase.total).toBeGreaterThan(0)
  })
})

describe('OR', () => {
  it('"opec" OR "saudi" is exactly the union of the two', async () => {
    const opec = new Set(await allIds('"opec"'))
    const saudi = new Set(await allIds('"saudi"'))
    const union = await allIds('"opec" OR "saudi"')
    expect(new Set(union)).toEqual(new Set([...opec, ...saudi]))
    expect(union.length).toBeGreaterThan(Math.max(opec.size, saudi.size))
  })

  it('opec OR saudi finds more than opec saudi (AND)', async () => {
    const or = await search('opec OR saudi')
    const and = await search('opec saudi')
    expect(or.total).toBeGreaterThan(and.total)
    expect(or.relaxed).toBe(false)
  })
})

describe('field scope', () => {
  it('title:opec: the word is in the title of every hit, fewer hits than opec anywhere', async () => {
    const scoped = await search('title:opec', '&limit=100')
    const anywhere = await search('opec')
    expect(scoped.total).toBeGreaterThan(10)
    expect(scoped.total).toBeLessThan(anywhere.total)
    for (const hit of scoped.hits) expect(hit.title).toMatch(/\bopec\b/i)
  })

  it('title:"oil prices": the phrase is in every title', async () => {
    const scoped = await search('title:"oil prices"', '&limit=100')
    expect(scoped.total).toBeGreaterThan(10)
    for (const hit of scoped.hits) expect(hit.title).toMatch(/\boils?[^\p{L}\p{N}]+prices?\b/iu)
  })
})

describe('prefix and typos', () => {
  it('the last word matches as a prefix while typing: "wheat expo" finds wheat exports', async () => {
    const typing = await search('wheat expo')
    expect(typing.relaxed).toBe(false)
    expect(typing.total).toBeGreaterThan(100)
    for (const hit of typing.hits) expect(`${hit.title} ${hit.snippet}`).toMatch(/\bexport/i)
    // An exact phrase word has no prefix: "expo" alone is not a word of the corpus.
    expect((await search('wheat "expo"')).relaxed).toBe(true)
  })

  it('a typo on the first letter counts as two, as in Meilisearch: one-typo words keep their first letter', async () => {
    // 9 letters: 2 typos allowed, so one edit of the first letter still matches…
    const nine = await search('xrgentina')
    expect(nine.total).toBeGreaterThan(100)
    expect(nine.hits[0]!.titleHtml).toMatch(/<mark>argentina<\/mark>/i)
    // …6 letters: 1 typo, so it does not (plain Levenshtein would find "market" for "xarket").
    const market = (await search('market')).total
    expect(market).toBeGreaterThan(100)
    expect((await search('markex')).total).toBeGreaterThan(market / 2)
    expect((await search('xarket')).total).toBe(0)
    expect(QUERY_OPTIONS.firstTypoCost).toBe(2)
  })

  it('typo tolerance covers the first 4 words long enough for it; later words match exactly', async () => {
    expect(MAX_TYPO_TERMS).toBe(4)
    // Four 5-letter-or-longer words (and a short one, which does not count), then the misspelt one, in OR so that every word counts on its own.
    const earlier = ['wheat', 'oil', 'exports', 'grain', 'prices']
    expect(typoDistance('argentnia', 5, [...earlier, 'argentnia'])).toBe(false)
    expect(typoDistance('argentnia', 4, [...earlier.slice(1), 'argentnia'])).toBe(2)
    expect(typoDistance('oil', 0, ['oil'])).toBe(false)
    // Against the same query with a 9-letter word that has no near spelling in the corpus in its place (so every
    // other word keeps its typo tolerance or its lack of it): past the cap the misspelt word adds nothing…
    const total = async (q: string) => (await search(q)).total
    expect(await total(`${earlier.join(' OR ')} OR argentnia`)).toBe(await total(`${earlier.join(' OR ')} OR qxzqxzqxz`))
    // …and first, with its typos, it adds the Argentina articles that have none of the other words.
    expect(await total(`argentnia OR ${earlier.join(' OR ')}`)).toBeGreaterThan(await total(`qxzqxzqxz OR ${earlier.join(' OR ')}`))
  })

  it('a misspelt word finds the right articles: "argentnia" finds Argentina', async () => {
    const typo = await search('argentnia', '&limit=20')
    const right = await search('argentina')
    expect(typo.total).toBe(right.total)
    for (const hit of typo.hits) expect(await textOf(hit.id)).toMatch(/argentin/i)
  })

  it('while typing, a rare completion weighs no more than the commonest one: "expo" caps "expos" at the idf of "export"', async () => {
    const index: SearchIndex = await loadSearchIndex(assetSource(env.ASSETS))
    const { engine } = index
    const { dictionary: dict } = engine
    const F = engine.fields.length
    const N = engine.layout.documentCount
    const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5))
    const input = { groups: [[{ terms: ['expo'], offsets: null, exact: false }]], excluded: [] }
    const spec = (exactFirst: boolean) => engine.planInput(input, { ...QUERY_OPTIONS, fuzzy: false, exactFirst, combineWith: 'AND' }).specs[0]!
    const typing = spec(true)
    const completions = typing.derived.slice(1).map((t) => dict.term(t))
    expect(dict.term(typing.derived[0]!)).toBe('expo')
    expect(completions).toEqual(expect.arrayContaining(['export', 'expos', 'exposur']))
    const exportT = dict.find('export')
    for (let i = 1; i < typing.derived.length; i++) {
      for (let f = 0; f < F; f++) {
        const own = idf(dict.df[typing.derived[i]! * F + f]!)
        const cap = typing.idfCap![i * F + f]!
        // At most export's idf in that field (export is the commonest completion), and never above its own when rarer.
        expect(cap).toBeLessThanOrEqual(idf(dict.df[exportT * F + f]!) + 1e-12)
        if (dict.term(typing.derived[i]!) === 'expos' && dict.df[typing.derived[i]! * F + f]! > 0) expect(cap).toBeLessThan(own)
      }
    }
    // The word typed, "expo", is itself in the dictionary (2 stories): its exact matches keep their own idf.
    for (let f = 0; f < F; f++) expect(typing.idfCap![f]).toBe(Infinity)
    // Without exact-first (MiniSearch's rule, the differential test's) nothing is capped.
    expect(spec(false).idfCap).toBeNull()
  })

  it('an exact match outranks a typo match of the same term with otherwise equal evidence', async () => {
    const index: SearchIndex = await loadSearchIndex(assetSource(env.ASSETS))
    const { engine } = index
    await engine.postings.load(index.manifest.index.postings.files.map((_, c) => c))
    const { dictionary: dict, docs } = engine
    const F = engine.fields.length
    const title = engine.fields.indexOf('title')
    /**
     * Title-only query of one word with the Worker's typo tolerance (no prefix), with or without the rule, ranked
     * by MiniSearch's BM25+ (where the rule is needed: a rare variant's own idf can outweigh the exact term's) or by
     * the Worker's BM25F (where the word's variants share the exact term's idf).
     */
    const run = (term: string, exactFirst: boolean, ranking: 'bm25+' | 'worker' = 'bm25+') => {
      const input = { groups: [[{ terms: [term], offsets: null, exact: false, field: 'title' }]], excluded: [] }
      const bm25f = ranking === 'worker' ? QUERY_OPTIONS.bm25f : null
      const plan = engine.planInput(input, { ...QUERY_OPTIONS, prefix: false, exactFirst, combineWith: 'AND', bm25f })
      const matches = engine.execute(plan)
      const score = new Map(Array.from(matches.docs, (doc, i) => [doc, matches.scores[i]!]))
      const order = Array.from(engine.rank(matches), (i) => matches.docs[i]!)
      return { plan, matches, score, order }
    }
    /** How many title tokens yield `term` (its tf in the title). */
    const tf = (text: string, term: string) => tokenize(text).filter((token) => processTerm(token).includes(term)).length
    // A common title word with a rare typo variant, and two titles of the same
    // length: one with the word once, one with only the variant once. Equal
    // evidence, except exact vs typo.
    let found: { term: string; exactDoc: number; typoDoc: number } | undefined
    // "stock" is such a word (found by the full scan below, tried first to keep the test fast).
    const candidates = [dict.find('stock'), ...Array.from({ length: dict.termCount }, (_, t) => t)]
    for (const t of candidates) {
      if (found) break
      if (t < 0) continue
      const term = dict.term(t)
      if (!/^[a-z]{5,8}$/.test(term) || dict.df[t * F + title]! < 150) continue
      const { plan, matches } = run(term, true)
      const numbers = Array.from(matches.docs)
      const detail = engine.explain(plan, numbers)
      const byLength = new Map<number, { exact?: number; typo?: number }>()
      for (let i = 0; i < numbers.length && !found; i++) {
        const doc = numbers[i]!
        const terms = detail.get(doc)!.terms
        if (terms.length !== 1) continue
        const slot = byLength.get(docs.fieldLength[doc * F + title]!) ?? {}
        byLength.set(docs.fieldLength[doc * F + title]!, slot)
        if (terms[0] === term) slot.exact ??= doc
        else slot.typo ??= doc
        if (slot.exact === undefined || slot.typo === undefined) continue
        // Worth testing only where MiniSearch's weights alone rank the typo first, with tf 1 on both sides.
        const plain = run(term, false).score
        const [exactArticle, typoArticle] = await index.articles([slot.exact, slot.typo])
        const typoTerm = detail.get(slot.typo)!.terms[0]!
        if (tf(exactArticle!.title, term) !== 1) slot.exact = undefined
        else if (tf(typoArticle!.title, typoTerm) !== 1 || !(plain.get(slot.typo)! > plain.get(slot.exact)!)) slot.typo = undefined
        else found = { term, exactDoc: slot.exact, typoDoc: slot.typo }
      }
    }
    expect(found, 'a word whose rare typo variant outweighs it under MiniSearch weights').toBeDefined()
    const { term, exactDoc, typoDoc } = found!
    const withRule = run(term, true)
    const without = run(term, false)
    expect(without.order.indexOf(typoDoc)).toBeLessThan(without.order.indexOf(exactDoc))
    expect(withRule.order.indexOf(exactDoc)).toBeLessThan(withRule.order.indexOf(typoDoc))
    expect(withRule.score.get(exactDoc)).toBe(without.score.get(exactDoc))
    // The Worker's ranking keeps the promise too.
    const worker = run(term, true, 'worker')
    expect(QUERY_OPTIONS.bm25f).toBeTruthy()
    expect(worker.order.indexOf(exactDoc)).toBeGreaterThanOrEqual(0)
    expect(worker.order.indexOf(exactDoc)).toBeLessThan(worker.order.indexOf(typoDoc))
  }, 120_000)
})

describe('syntax errors', () => {
  it('an unbalanced quote searches the plain words and says so in notices', async () => {
    const broken = await search('"crude oil prices')
    const plain = await search('crude oil prices')
    expect(broken.notices).toEqual(['unbalanced quote: searched the words without phrase syntax'])
    expect(plain.notices).toEqual([])
    expect(broken.total).toBe(plain.total)
    expect(broken.hits.map((hit: any) => hit.id)).toEqual(plain.hits.map((hit: any) => hit.id))
  })

  it('a dangling OR is searched as a word, with a notice; a phrase of stop words is ignored, with a notice', async () => {
    expect((await search('oil OR')).notices).toHaveLength(1)
    const stops = await search('"of the" cocoa')
    expect(stops.notices).toEqual(['ignored the phrase "of the": it has only stop words'])
    expect(stops.total).toBe((await search('cocoa')).total)
  })
})
