import { describe, expect, it } from 'vitest'
import { DEFAULT_SNIPPET_OPTIONS, PAGE_SCAN_BUDGET, scanBudgets, scanCharsPerHit, escapeHtml, highlightRanges, markRanges, snippet } from '../../src/snippet'
import { analyze } from '../../src/analyzer'

const REUTERS = `Crude oil prices rallied today, moving over 17.00 dlrs a barrel because of Saudi Arabia's determined effort to support prices, analysts said.`

describe('snippet', () => {
  it('marks stemmed matches and escapes the rest', () => {
    expect(snippet(REUTERS, new Set(analyze('oil price')))).toBe(
      'Crude <mark>oil</mark> <mark>prices</mark> rallied today, moving over 17.00 dlrs a barrel because of Saudi Arabia&#39;s determined effort to support <mark>prices</mark>, analysts said.',
    )
  })

  it('marks the same words once its memo of analysed tokens is full (it then keeps what it has)', () => {
    // More distinct tokens than the memo holds (10,000), each one a candidate: every one starts like the query term.
    const numbers = Array.from({ length: 12_000 }, (_, i) => `17${i}`)
    for (let i = 0; i < numbers.length; i += 1_000) {
      const text = numbers.slice(i, i + 1_000).join(' ')
      expect(snippet(text, new Set([numbers[i + 999]!]), { words: 1 })).toBe(`… <mark>${numbers[i + 999]}</mark>`)
    }
    expect(snippet(REUTERS, new Set(analyze('oil price')))).toContain('Crude <mark>oil</mark> <mark>prices</mark> rallied')
    expect(snippet('17000 17999 1711999', new Set(['1711999']))).toBe('17000 17999 <mark>1711999</mark>')
  })

  it('picks the window with the most matches and marks the cut with ellipses', () => {
    const result = snippet(REUTERS, new Set(analyze('analysts')), { words: 5 })
    expect(result).toBe('… to support prices, <mark>analysts</mark> said.')
  })

  it('escapes markup in the source text', () => {
    expect(snippet('<img src=x onerror=alert(1)> oil', new Set(['oil']))).toBe('&lt;img src=x onerror=alert(1)&gt; <mark>oil</mark>')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})

describe('passage choice by query word', () => {
  // Reuters-21578 story 856, "USSR WHEAT BONUS RUMORS PERSIST DESPITE DENIALS", its body as the corpus has it.
  const STORY = `Grain trade representatives continued\nto speculate that the Reagan administration will offer\nsubsidized wheat to the Soviet Union, while U.S. Agriculture\nDepartment officials said there was no substance to the\nreports.\n    "It's pure fiction," said one senior official at USDA's\nForeign Agricultural Service, referring to the rumor that the\nadministration would make an export enhancement offer to Moscow\nin the next two to three weeks.\n    An aide to Agriculture Secretary Richard Lyng who asked not\nto be identified said there was nothing to substantiate the\nspeculation, which he said was started by "somebody fanning the\n(wheat) market." Wheat futures strengthened today, partly on the\nbasis of the speculation.\n    One lobbyist with close connections to the Reagan\nadministration said a Soviet trade team told private grain\ntrade officials in New York last week that Moscow would buy as\nmuch as four mln tonnes of U.S. wheat, much of it before\nmid-year, if it was "competitively priced."\n    Alexander Ivlev, an official with Amtorg, a Soviet trading\norganization, told Reuters he had no information to\nsubstantiate the rumors of an imminent wheat subsidy offer, but\nsaid that Moscow "would consider" buying U.S. wheat if it was\ncompetitively priced.\n    "We don't care if it is EEP, what we (the Soviets) are\nlooking for is competitive prices," Ivlev said. "If they (the\nadministration) are interested in selling it (wheat), they\nshould find ways to do it."\n Reuter`
  // Its terms for "wheat expo" as typed: "what" is a typo reading of "wheat", "export" a completion of "expo".
  const matched = new Set(['wheat', 'what', 'export'])
  const wordOf = new Map([['wheat', 0], ['what', 0], ['export', 1]])

  it('prefers, among windows of as many query words, the one with the most matches', () => {
    // No 30-word window has both "wheat" and "export": the one with three matches of the first word wins.
    for (const options of [{}, { wordOf }]) {
      const html = snippet(STORY, matched, options)
      expect(html).toContain('<mark>what</mark>')
      expect(html).not.toContain('<mark>export</mark>')
    }
  })

  it('counts a typo reading and the word typed as one word', () => {
    // 50 words: a window reaches from "wheat" to "export" (two query words), another from "wheat" to "what" (two
    // terms, but one query word). Counted by term they tie and the second has more matches; by query word the first wins.
    const html = (options: object) => snippet(STORY, matched, { words: 50, ...options })
    expect(html({})).toContain('<mark>what</mark>')
    expect(html({})).not.toContain('<mark>export</mark>')
    expect(html({ wordOf })).toContain('<mark>export</mark>')
    expect(html({ wordOf })).toMatch(/<mark>wheat<\/mark>/i)
  })

  it('turns every run of whitespace (newlines, tabs, no-break spaces) into one space', () => {
    const texts = [STORY, `Wheat\t\texport  talks\u00a0\u00a0resumed\r\n\n  in  Moscow \t`, STORY.replaceAll(' ', '\u2003')]
    for (const text of texts) {
      for (const words of [5, 30, 500]) {
        const html = snippet(text, matched, { words })
        expect(html).toContain('<mark>')
        expect(html, JSON.stringify(html)).not.toMatch(/\s\s|[^\S ]|^\s|\s$/)
      }
    }
  })

  it('looks first for the query words the title does not show', () => {
    // The title shows WHEAT (word 0): the snippet shows why else the story matched, "export".
    const html = snippet(STORY, matched, { wordOf, shownWords: new Set([0]) })
    expect(html).toContain('<mark>export</mark>')
    expect(html).not.toContain('<mark>what</mark>')
  })
})

describe('highlightRanges', () => {
  it('gives the offsets of every matching word, stems included', () => {
    const title = 'OIL PRICES RISE ON SAUDI EFFORT'
    const ranges = highlightRanges(title, new Set(analyze('oil price')))
    expect(ranges).toEqual([[0, 3], [4, 10]])
    expect(ranges.map(([start, end]) => title.slice(start, end))).toEqual(['OIL', 'PRICES'])
  })

  it('marks the matching parts of a hyphenated word, or the whole word when its joined form matched', () => {
    const title = 'ARGENTINA-BRAZIL TRADE JUMPED 90 PCT IN 1986'
    const marked = (query: string) => highlightRanges(title, new Set(analyze(query))).map(([start, end]) => title.slice(start, end))
    expect(marked('argentina')).toEqual(['ARGENTINA'])
    expect(marked('brazil trade')).toEqual(['BRAZIL', 'TRADE'])
    expect(marked('argentina-brazil')).toEqual(['ARGENTINA-BRAZIL'])
    expect(snippet(title, new Set(analyze('brazil')))).toBe('ARGENTINA-<mark>BRAZIL</mark> TRADE JUMPED 90 PCT IN 1986')
    // The same with the Unicode hyphen and non-breaking hyphen that the analyzer also splits on (U+2010, U+2011).
    for (const hyphen of ['\u2010', '\u2011']) {
      expect(snippet(title.replace('-', hyphen), new Set(analyze('brazil')))).toBe(`ARGENTINA${hyphen}<mark>BRAZIL</mark> TRADE JUMPED 90 PCT IN 1986`)
    }
  })

  it('is empty when nothing matches', () => {
    expect(highlightRanges('Putin Meets Syria', new Set(['cocoa']))).toEqual([])
  })
})

describe('markRanges', () => {
  it('escapes the whole text, marks the ranges and keeps the whitespace', () => {
    expect(markRanges('OIL  <SRD> & "GAS"', [[0, 3], [6, 9]])).toBe('<mark>OIL</mark>  &lt;<mark>SRD</mark>&gt; &amp; &quot;GAS&quot;')
    expect(markRanges('<b>', [])).toBe('&lt;b&gt;')
  })
})

describe('passage choice on a long text', () => {
  const filler = 'Shipments were steady. '.repeat(400) // 9,200 characters, 1,200 words
  const text = `${filler}Cocoa exports and cocoa prices rose. ${filler}`
  const terms = new Set(analyze('cocoa price'))

  it('finds the densest window anywhere in the first maxScanChars (default 10,000) of a body of thousands of words', () => {
    expect(DEFAULT_SNIPPET_OPTIONS.maxScanChars).toBe(10_000)
    expect(snippet(text, terms, { words: 8 })).toContain('<mark>Cocoa</mark> exports and <mark>cocoa</mark> <mark>prices</mark>')
  })

  it('does not search past maxScanChars, and cuts the opening it shows with " …"', () => {
    const cut = snippet(text, terms, { words: 8, maxScanChars: 5_000 })
    expect(cut).toBe('Shipments were steady. Shipments were steady. Shipments were …')
    expect(snippet(text, terms, { words: 8, maxScanChars: 20_000 })).toContain('<mark>Cocoa</mark>')
  })
})

describe('the opening, when no term can match', () => {
  it('is the passage a full scan gives, however the text is spaced and cut', () => {
    const words = REUTERS.split(' ')
    const texts = [
      REUTERS,
      REUTERS.slice(0, 60),
      Array.from({ length: 40 }, () => REUTERS).join(' '),
      // Far more than 16 characters a token: the short scan holds too few tokens, and the full one runs.
      words.join(' '.repeat(40)),
      words.join(' — '.repeat(12)),
      '',
    ]
    let checked = 0
    for (const text of texts) {
      for (const options of [{}, { words: 5 }, { words: 12, maxScanChars: 300 }, { words: 30, maxScanChars: 90 }]) {
        // A term that no token yields: the same window, through the full scan.
        expect(snippet(text, new Set(), options), `${text.slice(0, 30)} ${JSON.stringify(options)}`).toBe(snippet(text, new Set(['zzzq']), options))
        checked++
      }
    }
    expect(snippet(words.join(' '.repeat(40)), new Set(), { words: 5 })).toBe('Crude oil prices rallied today, …')
    expect(checked).toBe(24)
  })
})

describe('scan scratch', () => {
  it('a short text after a long one sees none of the long one\'s matches', () => {
    const long = Array.from({ length: 60 }, () => REUTERS).join(' ')
    expect(snippet(long, new Set(['oil']), { words: 40 })).toContain('<mark>oil</mark>')
    expect(snippet('Saudi Arabia said.', new Set(['oil']), { words: 40 })).toBe('Saudi Arabia said.')
    expect(snippet('Saudi Arabia said oil.', new Set(['oil']), { words: 40 })).toBe('Saudi Arabia said <mark>oil</mark>.')
  })
})

describe('scanCharsPerHit', () => {
  it('gives each hit the default 10,000 characters up to 2 hits, then shares 25,000 among the page', () => {
    expect(PAGE_SCAN_BUDGET).toBe(25_000)
    expect([1, 2, 3, 5, 10, 20].map(scanCharsPerHit)).toEqual([10_000, 10_000, 8_333, 5_000, 2_500, 1_250])
  })
})

describe('scanBudgets', () => {
  it('gives short texts their length and the rest of the budget to the long ones, up to 10,000 each', () => {
    expect(scanBudgets([800, 900, 30_000], 6_000)).toEqual([800, 900, 4_300])
    expect(scanBudgets([30_000, 800, 30_000, 900], 6_000)).toEqual([2_150, 800, 2_150, 900])
    expect(scanBudgets([30_000, 30_000], 50_000)).toEqual([10_000, 10_000])
    expect(scanBudgets([])).toEqual([])
    // Twenty long texts: the even split, never less.
    expect(scanBudgets(Array.from({ length: 20 }, () => 5_000))).toEqual(Array.from({ length: 20 }, () => scanCharsPerHit(20)))
    // Never more than the budget in all, whatever the lengths.
    const lengths = Array.from({ length: 20 }, (_, i) => (i * 7919) % 4_000)
    const budgets = scanBudgets(lengths)
    expect(budgets.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PAGE_SCAN_BUDGET)
    budgets.forEach((b, i) => expect(b).toBeLessThanOrEqual(lengths[i]!))
  })
})
