/**
 * Snippet length (`snippetWords`) and title highlights (`titleHighlights`, `titleHtml`) inside workerd, over the
 * bundled articles: /search and /articles/:id/related.
 */
import { describe, expect, it } from 'vitest'
import { tokenizeWithOffsets } from '../../src/analyzer'
import { SEED_ID, getJson, getPages } from './helpers'

interface Hit {
  id: string
  title: string
  snippet: string
  titleHighlights: [number, number][]
  titleHtml: string
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' }

/** The text of the API's safe HTML: `<mark>` tags dropped, the five escapes undone. */
function text(html: string): string {
  return html.replace(/<\/?mark>/g, '').replace(/&(?:lt|gt|quot|#39|amp);/g, (entity) => ENTITIES[entity]!)
}

/** The marked parts of the API's safe HTML, as text. */
function markedParts(html: string): string[] {
  return [...html.matchAll(/<mark>(.*?)<\/mark>/g)].map((match) => text(match[1]!))
}

/** The words (analyzer tokens) of a snippet, without its ellipses. */
function snippetWords(snippet: string): number {
  return tokenizeWithOffsets(text(snippet)).length
}

async function hits(path: string): Promise<Hit[]> {
  const { status, body } = await getPages(path)
  expect(status, JSON.stringify(body)).toBe(200)
  return body.hits
}

async function hitOf(path: string, id: string): Promise<Hit> {
  const hit = (await hits(path)).find((candidate) => candidate.id === id)
  expect(hit, `${id} among the hits of ${path}`).toBeDefined()
  return hit!
}

const slices = (hit: Hit) => hit.titleHighlights.map(([start, end]) => hit.title.slice(start, end))

describe('snippetWords', () => {
  const BAD: [string, RegExp][] = [
    ['snippetWords=4', /integer from 5 to 100/],
    ['snippetWords=101', /integer from 5 to 100/],
    ['snippetWords=0', /integer from 5 to 100/],
    ['snippetWords=-10', /integer from 5 to 100/],
    ['snippetWords=20.5', /integer from 5 to 100/],
    ['snippetWords=abc', /integer from 5 to 100/],
    ['snippetWords=', /integer from 5 to 100/],
    ['snippetWords=10&snippetWords=20', /only once/],
  ]
  for (const route of ['/search?q=oil', '/articles/11723/related?limit=2']) {
    it.each(BAD)(`${route}&%s → 400 naming snippetWords`, async (query, message) => {
      const { status, body } = await getJson(`${route}&${query}`)
      expect(status).toBe(400)
      expect(body.error).toMatchObject({ status: 400, code: 'invalid_parameter', parameter: 'snippetWords' })
      expect(body.error.message).toMatch(message)
      expect(body.error.allowed).toBe("an integer from 5 to 100: the snippet's length in words (default 30)")
    })
  }

  it('is listed among the allowed parameters when an unknown one is given', async () => {
    expect((await getJson('/search?q=oil&snippetwords=10')).body.error.message).toMatch(/snippetWords/)
    expect((await getJson('/articles/11723/related?words=10')).body.error.message).toMatch(/limit, snippetWords/)
  })

  it('sets the snippet length in words; 30 is the default; the bounds themselves are accepted', async () => {
    const path = '/search?q=oil+prices&topic=crude&limit=10'
    const byDefault = await hits(path)
    expect(await hits(`${path}&snippetWords=30`)).toEqual(byDefault)
    for (const words of [5, 12, 100]) {
      const page = await hits(`${path}&snippetWords=${words}`)
      expect(page.map((hit) => hit.id)).toEqual(byDefault.map((hit) => hit.id))
      for (const hit of page) {
        const { body: article } = await getJson(`/articles/${hit.id}`)
        const available = tokenizeWithOffsets(article.body).length
        // A cut end keeps what is glued to its last word, which may hold one more token ("U.S." after "U").
        const count = snippetWords(hit.snippet)
        expect(count, `${hit.id}: ${hit.snippet}`).toBeGreaterThanOrEqual(Math.min(words, available))
        expect(count, `${hit.id}: ${hit.snippet}`).toBeLessThanOrEqual(Math.min(words, available) + 1)
        if (available > words) expect(hit.snippet).toMatch(/…/)
      }
    }
    // The default is 30 words, not the longest or the shortest.
    const counts = byDefault.map((hit) => snippetWords(hit.snippet))
    expect(counts.filter((count) => count === 30 || count === 31).length).toBeGreaterThan(counts.length / 2)
  })

  it('keeps the matches in the shorter passage', async () => {
    for (const hit of await hits('/search?q=opec&limit=10&snippetWords=5')) {
      // The possessive is part of the marked word ("Nazer said <mark>OPEC's</mark>", article 5167).
      expect(hit.snippet, hit.id).toMatch(/<mark>OPEC(&#39;s|’s)?<\/mark>/i)
      expect(snippetWords(hit.snippet)).toBeLessThanOrEqual(6)
    }
  })

  it('sets the length of the related hits’ snippets too', async () => {
    const { body: short } = await getJson('/articles/11723/related?snippetWords=8')
    const { body: long } = await getJson('/articles/11723/related')
    expect(short.hits.map((hit: Hit) => hit.id)).toEqual(long.hits.map((hit: Hit) => hit.id))
    for (const hit of short.hits as Hit[]) expect(snippetWords(hit.snippet)).toBeLessThanOrEqual(9)
    expect(Math.max(...(long.hits as Hit[]).map((hit) => snippetWords(hit.snippet)))).toBeGreaterThanOrEqual(30)
  })
})

describe('title highlights', () => {
  it('point at a stemmed match: "export" marks EXPORTS, and the other word RICE', async () => {
    const hit = await hitOf('/search?q=export+rice&limit=100', '228')
    expect(hit.title).toBe('THAI RICE EXPORTS RISE IN WEEK ENDED FEBRUARY 24')
    expect(hit.titleHighlights).toEqual([[5, 9], [10, 17]])
    expect(hit.titleHtml).toBe('THAI <mark>RICE</mark> <mark>EXPORTS</mark> RISE IN WEEK ENDED FEBRUARY 24')
  })

  it('point at case- and diacritic-folded matches: "PÚTIN sýria" marks Putin and Syria', async () => {
    const hit = await hitOf(`/search?q=${encodeURIComponent('PÚTIN sýria')}`, SEED_ID)
    expect(hit.title).toBe('Putin Meets Syria on Defense Industry')
    expect(slices(hit)).toEqual(['Putin', 'Syria'])
    expect(hit.titleHtml).toBe('<mark>Putin</mark> Meets <mark>Syria</mark> on Defense Industry')
  })

  it('point at typo matches: "argentnia" marks ARGENTINA', async () => {
    const page = await hits('/search?q=argentnia&limit=20')
    const withTitle = page.filter((hit) => /\bARGENTINA\b/.test(hit.title))
    expect(withTitle.length).toBeGreaterThan(0)
    // The whole token is marked, possessive included (ARGENTINA'S).
    for (const hit of withTitle) expect(slices(hit).some((part) => /^ARGENTINA(?:'S)?$/.test(part)), hit.title).toBe(true)
    for (const hit of page) for (const part of slices(hit)) expect(part).toMatch(/^ARGENTIN/i)
  })

  it('mark only the matching part of a hyphenated word, and the whole word when the query has it whole', async () => {
    const part = await hitOf('/search?q=argentina+trade&limit=100', '2535')
    expect(part.titleHtml).toBe('<mark>ARGENTINA</mark>-BRAZIL <mark>TRADE</mark> JUMPED 90 PCT IN 1986')
    const whole = await hitOf('/search?q=argentina-brazil&limit=100', '2535')
    expect(slices(whole)).toEqual(['ARGENTINA-BRAZIL'])
  })

  it('point at prefix matches of the last word: "wheat expo" marks EXPORT…', async () => {
    const page = await hits('/search?q=wheat+expo&limit=20')
    const marked = page.flatMap(slices)
    expect(marked).toContain('WHEAT')
    expect(marked.some((part) => /^EXPO\w+$/.test(part))).toBe(true)
    for (const part of marked) expect(part).toMatch(/^(WHEAT|EXPO\w*)$/i)
    const exporter = await hitOf('/search?q=wheat+expo&limit=100', '12887')
    expect(exporter.titleHtml).toBe('PAKISTAN NOT SEEN AS MAJOR <mark>WHEAT</mark> <mark>EXPORTER</mark>')
  })

  it('escape HTML in titleHtml and still mark a word inside it', async () => {
    const ticker = await hitOf('/search?q=standard+oil+srd', '2')
    expect(ticker.title).toBe('STANDARD OIL <SRD> TO FORM FINANCIAL UNIT')
    expect(ticker.titleHtml).toBe('<mark>STANDARD</mark> <mark>OIL</mark> &lt;<mark>SRD</mark>&gt; TO FORM FINANCIAL UNIT')
    const ampersand = await hitOf('/search?q=acquisition+toll&limit=100', '5141')
    expect(ampersand.titleHtml).toBe('S&amp;L <mark>ACQUISITION</mark> RAISES U.S. 1987 <mark>TOLL</mark> TO 12')
    const quotes = await hitOf('/search?q=britannia+coin', '3793')
    expect(quotes.titleHtml).toBe('BRITAIN TO MINT NEW &quot;<mark>BRITANNIA</mark>&quot; GOLD <mark>COIN</mark>')
  })

  it('agree with titleHtml on every hit: sorted ranges inside the title, the same marked words, the same text', async () => {
    let marks = 0
    for (const path of ['/search?q=oil+prices&limit=100', '/search?q=%22crude+oil%22+-gasoline&limit=50', '/search?q=title:opec+saudi&limit=50']) {
      for (const hit of await hits(path)) {
        let end = 0
        for (const [start, stop] of hit.titleHighlights) {
          expect(start).toBeGreaterThanOrEqual(end)
          expect(stop).toBeGreaterThan(start)
          expect(stop).toBeLessThanOrEqual(hit.title.length)
          end = stop
        }
        expect(text(hit.titleHtml)).toBe(hit.title)
        expect(markedParts(hit.titleHtml)).toEqual(slices(hit))
        expect(hit.titleHtml).not.toMatch(/<(?!\/?mark>)/)
        marks += hit.titleHighlights.length
      }
    }
    expect(marks).toBeGreaterThan(100)
  })

  it('are empty when the query has no terms (newest-first listing), and titleHtml is the escaped title', async () => {
    const page = await hits('/search?topic=cocoa&limit=5')
    expect(page).toHaveLength(5)
    for (const hit of page) {
      expect(hit.titleHighlights).toEqual([])
      expect(hit.titleHtml).not.toContain('<mark>')
      expect(text(hit.titleHtml)).toBe(hit.title)
    }
  })

  it('mark the related hits’ titles where they share the distinctive terms', async () => {
    const { body } = await getJson('/articles/11723/related')
    const marked = (body.hits as Hit[]).flatMap(slices).map((part) => part.toLowerCase())
    expect(marked.length).toBeGreaterThan(0)
    expect(marked.some((part) => /^(futures|petroleum|prices?|oil)$/.test(part))).toBe(true)
  })
})
