/**
 * `GET /suggest` and `didYouMean`, inside workerd, over the bundled index
 * (Reuters-21578 + the seed article) and its suggest lexicon.
 */
import { env as testEnv } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { analyze } from '../../src/analyzer'
import type { Bindings } from '../../src/app'
import { ERROR_RESPONSE } from '../../src/api-schema'
import { assetSource, loadSearchIndex, type SearchIndex } from '../../src/search-index'
import { DID_YOU_MEAN_BELOW, didYouMean, loadLexicon, suggest as suggestIn } from '../../src/suggest'
import { LEXICON_FILE, Lexicon, type LexiconData } from '../../src/suggest/lexicon'
import { getJson } from './helpers'

const env = testEnv as unknown as Bindings

const SUGGEST_RESPONSE = z.strictObject({
  query: z.string(),
  suggestions: z.array(
    z.union([
      z.strictObject({ text: z.string().min(1), kind: z.literal('query') }),
      z.strictObject({ text: z.string().min(1), kind: z.literal('title'), id: z.string().min(1) }),
    ]),
  ),
})

type Suggestion = z.infer<typeof SUGGEST_RESPONSE>['suggestions'][number]

type TitleSuggestion = Extract<Suggestion, { kind: 'title' }>

async function suggest(query: string): Promise<{ queries: string[]; titles: TitleSuggestion[]; all: Suggestion[] }> {
  const { status, body } = await getJson(`/suggest?${query}`)
  expect(status).toBe(200)
  const parsed = SUGGEST_RESPONSE.parse(body)
  return {
    all: parsed.suggestions,
    queries: parsed.suggestions.filter((s) => s.kind === 'query').map((s) => s.text),
    titles: parsed.suggestions.filter((s): s is TitleSuggestion => s.kind === 'title'),
  }
}

/** Whether a title holds every stem of `words` and a stem starting with `prefix`. */
function titleMatches(title: string, words: string[], prefix?: string): boolean {
  const terms = analyze(title)
  return words.every((word) => terms.includes(word)) && (prefix === undefined || terms.some((term) => term.startsWith(prefix)))
}

describe('GET /suggest: completions', () => {
  it('completes the last word from the dictionary, in surface form, after the earlier words', async () => {
    const { queries, titles, all } = await suggest('q=oil+pri')
    expect(queries[0]).toBe('oil prices') // the stem is `price`; "prices" is its most frequent form
    for (const text of queries) expect(text).toMatch(/^oil pri/)
    expect(queries).not.toContain('oil price')
    expect(titles.length).toBeGreaterThan(0)
    for (const title of titles) expect(titleMatches(title.text, ['oil'], 'pri')).toBe(true)
    // Queries first, then titles; at most the default limit of 8.
    expect(all.length).toBeLessThanOrEqual(8)
    expect(all.findIndex((s) => s.kind === 'title')).toBeGreaterThan(all.findLastIndex((s) => s.kind === 'query'))
  })

  it('ranks completions by document frequency without earlier words', async () => {
    const { queries } = await suggest('q=pri')
    expect(queries.slice(0, 3)).toEqual(['prices', 'private', 'prior'])
  })

  it('ranks completions by how often they share a title with the earlier words', async () => {
    // "grain" meets "exports" in many titles; on its own "expected" is about as frequent.
    const { queries } = await suggest('q=grain+exp')
    expect(queries[0]).toBe('grain exports')
  })

  it('shows the first titles with the best completion, and no title twice', async () => {
    const { titles } = await suggest('q=oil+pri&limit=20')
    expect(titleMatches(titles[0]!.text, ['oil', 'price'])).toBe(true)
    const texts = titles.map((t) => t.text.toLowerCase().replace(/\s+/g, ' '))
    expect(new Set(texts).size).toBe(texts.length)
  })

  it('title suggestions are real articles with that title', async () => {
    const { titles } = await suggest('q=cocoa+buf')
    expect(titles.length).toBeGreaterThan(0)
    for (const title of titles.slice(0, 3)) {
      const article = await getJson(`/articles/${encodeURIComponent(title.id)}`)
      expect(article.status).toBe(200)
      expect(article.body.title).toBe(title.text)
    }
  })

  it('keeps a complete word as typed rather than its surface form', async () => {
    const { queries } = await suggest('q=oil+price')
    expect(queries[0]).toBe('oil price')
  })

  it('completes a word typed past its stem ("convertibl" → convertible, stem `convert`)', async () => {
    const { queries, titles } = await suggest('q=convertibl')
    expect(queries[0]).toBe('convertible')
    expect(titles.length).toBeGreaterThan(0)
  })

  it('corrects earlier words and a last word that nothing starts with', async () => {
    expect((await suggest('q=petrolium+pri')).queries[0]).toBe('petroleum prices')
    expect((await suggest('q=cocao')).queries).toEqual(['cocoa'])
  })

  it('with prefix=false completes nothing and only corrects', async () => {
    const corrected = await suggest('q=petrolium+prices&prefix=false')
    expect(corrected.queries).toEqual(['petroleum prices'])
    for (const title of corrected.titles) expect(titleMatches(title.text, ['petroleum', 'price'])).toBe(true)
    const plain = await suggest('q=oil+pri&prefix=false')
    expect(plain.queries).toEqual([])
    const oil = await suggest('q=oil&prefix=false')
    expect(oil.queries).toEqual([])
    for (const title of oil.titles) expect(titleMatches(title.text, ['oil'])).toBe(true)
  })

  it('treats a word followed by a space as complete', async () => {
    const { queries, titles } = await suggest('q=oil+')
    expect(queries).toEqual([])
    expect(titles.length).toBeGreaterThan(0)
    for (const title of titles) expect(titleMatches(title.text, ['oil'])).toBe(true)
  })

  it('respects limit, and fills with queries when there are few titles', async () => {
    expect((await suggest('q=s&limit=3')).all).toHaveLength(3)
    expect((await suggest('q=s&limit=20')).all.length).toBeLessThanOrEqual(20)
    const one = await suggest('q=pri&limit=1')
    expect(one.all).toEqual([{ text: 'prices', kind: 'query' }])
  })
})

describe('GET /suggest: edge cases', () => {
  it('an empty query, or only stop words, suggests nothing', async () => {
    expect((await suggest('q=')).all).toEqual([])
    expect((await suggest('')).all).toEqual([])
    expect((await suggest('q=the+and+of+')).all).toEqual([])
    expect((await suggest('q=%20%20')).all).toEqual([])
  })

  it('a stop word being typed may still be the start of a word', async () => {
    const { queries } = await suggest('q=the')
    expect(queries.length).toBeGreaterThan(0)
    for (const text of queries) expect(text.startsWith('the')).toBe(true)
  })

  it('a one-letter prefix gives whole words, never a single letter', async () => {
    const { queries, all } = await suggest('q=s')
    expect(queries[0]).toBe('said')
    for (const text of queries) expect(text.length).toBeGreaterThan(1)
    expect(all).toHaveLength(8)
  })

  it('handles unicode: folded accents, scripts absent from the index', async () => {
    const cafe = await suggest(`q=${encodeURIComponent('café')}`)
    expect(cafe.queries[0]).toBe('café')
    expect(cafe.titles.some((t) => /CAFE/i.test(t.text))).toBe(true)
    expect((await suggest(`q=${encodeURIComponent('東京')}`)).all).toEqual([])
    expect((await suggest(`q=${encodeURIComponent('ＯＩＬ ｐｒｉ')}`)).queries[0]).toBe('ＯＩＬ prices')
  })

  it('prototype keys are just words', async () => {
    for (const q of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      const { all } = await suggest(`q=${q}`)
      expect(Array.isArray(all)).toBe(true)
    }
  })

  it('an earlier word found nowhere means no title, but still completions', async () => {
    const { queries, titles } = await suggest('q=zzqxj+pri')
    expect(titles).toEqual([])
    expect(queries[0]).toBe('zzqxj prices')
  })

  it('carries the index version as ETag', async () => {
    const { headers } = await getJson('/suggest?q=oil')
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{16}"$/)
    expect(headers.get('cache-control')).toContain('max-age')
  })
})

describe('GET /suggest: validation', () => {
  const cases: [string, string][] = [
    ['q=oil&limit=0', 'limit'],
    ['q=oil&limit=21', 'limit'],
    ['q=oil&limit=abc', 'limit'],
    ['q=oil&limit=1.5', 'limit'],
    ['q=oil&prefix=yes', 'prefix'],
    ['q=oil&prefix=', 'prefix'],
    ['q=oil&q=gas', 'q'],
    [`q=${'a'.repeat(201)}`, 'q'],
    [`q=${Array.from({ length: 33 }, (_, i) => `word${i}x`).join('+')}`, 'q'],
    ['q=oil&topic=crude', 'topic'],
    ['q=oil&__proto__=1', '__proto__'],
  ]
  it.each(cases)('%s is a 400 naming %s', async (query, parameter) => {
    const { status, body } = await getJson(`/suggest?${query}`)
    expect(status).toBe(400)
    const { error } = ERROR_RESPONSE.parse(body)
    expect(error).toMatchObject({ status: 400, code: 'invalid_parameter', parameter })
    expect(error.allowed).toBeTruthy()
  })

  it('says what limit and prefix allow on this route', async () => {
    expect((await getJson('/suggest?limit=99')).body.error.allowed).toBe('an integer from 1 to 20')
    expect((await getJson('/suggest?prefix=1')).body.error.allowed).toContain('"true"')
    expect((await getJson('/suggest?nope=1')).body.error.allowed).toBe('parameters: q, limit, prefix')
  })
})

describe('suggestions from a lexicon without titles (a large corpus, over the build\'s titles budget)', () => {
  it.each(['oil pri', 'wheat expo', 'bank of japan', 'opec'])('shows the same titles for %j, read from the article fragments', async (q) => {
    const index = await loadSearchIndex(assetSource(env.ASSETS))
    const full = await loadLexicon(index, assetSource(env.ASSETS))
    expect(full.titles.length).toBe(index.ids.length)
    const data = await assetSource(env.ASSETS).json<LexiconData>(LEXICON_FILE)
    const bare = new Lexicon({ ...data, titles: [] })
    const request = { q, limit: 8, prefix: true }
    const withTitles = await suggestIn(index, full, request)
    expect(withTitles.suggestions.some((s) => s.kind === 'title')).toBe(true)
    expect(await suggestIn(index, bare, request)).toEqual(withTitles)
  })
})

describe('suggestions when the postings cache cannot keep a chunk (a large index: a few chunks fit)', () => {
  it('answers as with the full caches, for completions over many chunks and earlier words', async () => {
    // Before the request held the chunks it loaded, "co" (completions spread over the dictionary) evicted its own
    // first chunks while loading the rest, and answered 500 "postings chunk N is not loaded" on a 200k index.
    const index = await loadSearchIndex(assetSource(env.ASSETS))
    const starved = await loadSearchIndex(assetSource(env.ASSETS), { postingsBytes: 1, positionsBytes: 1, articles: 1 })
    const lexicon = await loadLexicon(index, assetSource(env.ASSETS))
    for (const q of ['co', 'oil pri', 'bank of japan ra', 'wheat corn sugar ex', 'gold']) {
      const request = { q, limit: 8, prefix: true }
      const expected = await suggestIn(index, lexicon, request)
      expect(expected.suggestions.length, q).toBeGreaterThan(2)
      expect(await suggestIn(starved, lexicon, request), q).toEqual(expected)
    }
    expect(starved.cacheStats().postingsChunks).toBeLessThanOrEqual(1)
  })
})

describe('didYouMean', () => {
  let index: SearchIndex
  let lexicon: Lexicon
  beforeAll(async () => {
    index = await loadSearchIndex(assetSource(env.ASSETS))
    lexicon = await loadLexicon(index, assetSource(env.ASSETS))
  })

  it('loads the lexicon built for this index', () => {
    expect(lexicon.count).toBe(index.ids.length)
    expect(lexicon.surface('price')).toBe('prices')
  })

  it.each([
    ['cocao', 'cocoa'],
    ['petrolium prices', 'petroleum prices'],
    ['oil prises', 'oil prices'],
    ['goverment bonds', 'government bonds'], // "goverment" is in 9 Reuters articles, "government" in over 2,000
    ['recieved dividend', 'received dividend'],
    ['bank of japn', 'bank of japan'],
    ['fedral reserve', 'federal reserve'], // nearer the surface "federal" than the stem `feder`
    ['coffe', 'coffee'],
    ['suger', 'sugar'],
    ['wheet', 'wheat'],
    ['oyl', 'oil'],
    ['bundesbnak', 'bundesbank'],
    ['acquistion', 'acquisition'],
    ['Soybeen  exports!', 'soybean  exports!'],
    ['xocoa', 'cocoa'], // a typo on the first letter, within 2 edits
  ])('%s → %s', (query, expected) => {
    expect(didYouMean(index, query, lexicon)).toBe(expected)
  })

  it('leaves a rare word alone when no word 50 times more frequent is near it', () => {
    // In a few Reuters stories each; their nearest stems are rarer still or not 50 times more frequent.
    for (const query of ['winchester', 'megabyte', 'dlrs megabyte winchester']) expect(didYouMean(index, query, lexicon), query).toBeUndefined()
  })

  it('leaves correct, short, numeric, stop-word and unknown-script queries alone', () => {
    for (const query of ['oil prices', 'cocoa', 'ab', 'the of and', '1987', '5.93 pct', '東京', '', 'al-Assad']) {
      expect(didYouMean(index, query, lexicon)).toBeUndefined()
    }
  })

  it('treats prototype keys as words', () => {
    // "proto" is unknown; "constructor" is in a handful of articles, "construction" in 50 times more.
    expect(didYouMean(index, '__proto__', lexicon)).toBe('__photo__')
    expect(didYouMean(index, 'constructor', lexicon)).toBe('construction')
    expect(({} as Record<string, unknown>).photo).toBeUndefined()
  })

  it(`is offered only below ${DID_YOU_MEAN_BELOW} results or for a relaxed answer`, () => {
    expect(didYouMean(index, 'cocao', lexicon, { total: 0 })).toBe('cocoa')
    expect(didYouMean(index, 'cocao', lexicon, { total: DID_YOU_MEAN_BELOW - 1 })).toBe('cocoa')
    expect(didYouMean(index, 'cocao', lexicon, { total: DID_YOU_MEAN_BELOW })).toBeUndefined()
    expect(didYouMean(index, 'oyl prices', lexicon, { total: 3000, relaxed: true })).toBe('oil prices')
    expect(didYouMean(index, 'oyl prices', lexicon, { total: 3000, relaxed: false })).toBeUndefined()
  })

  it('a corrected query finds what the misspelt one did not', async () => {
    let checked = 0
    for (const query of ['oyl', 'oyl prices', 'cocao', 'goverment bonds', 'fedral reserve', 'bundesbnak']) {
      const before = await getJson(`/search?q=${encodeURIComponent(query)}`)
      const corrected = didYouMean(index, query, lexicon, before.body)
      if (before.body.total >= DID_YOU_MEAN_BELOW && !before.body.relaxed) continue // the engine's own typo tolerance found enough
      checked++
      expect(corrected).toBeDefined()
      const after = await getJson(`/search?q=${encodeURIComponent(corrected!)}`)
      expect(after.body.relaxed).toBe(false)
      expect(after.body.total).toBeGreaterThanOrEqual(DID_YOU_MEAN_BELOW)
    }
    expect(checked).toBeGreaterThanOrEqual(2) // "oyl" is too short for the engine's typo tolerance
  })
})
