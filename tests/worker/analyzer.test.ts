import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { analyze, fold, processTerm, scanTokens, tokenize, tokenizeWithOffsets } from '../../src/analyzer'

// Sentences from the seed article and from Reuters-21578.
const SEED = 'President Vladimir Putin met Syria’s foreign and defense ministers in Moscow on December 23, 2025'
const REUTERS = 'Arrivals for the week ended February 22 were 155,221 bags of 60 kilos making a cumulative total for the season of 5.93 mln'

describe('analyzer', () => {
  it('tokenizes with offsets that point back into the text', () => {
    for (const token of tokenizeWithOffsets(SEED)) expect(SEED.slice(token.start, token.end)).toBe(token.text)
    expect(tokenize(SEED)).toContain('Syria’s')
  })

  it('drops curly and straight possessives', () => {
    expect(processTerm('Syria’s')).toEqual(['syria'])
    expect(processTerm("Syria's")).toEqual(['syria'])
  })

  it('folds case, NFKC forms and diacritics', () => {
    expect(fold('Café')).toBe('cafe')
    expect(fold('ＰＵＴＩＮ')).toBe('putin')
    expect(analyze('Montréal São Paulo')).toEqual(analyze('montreal sao paulo'))
  })

  it('indexes hyphenated names whole and split', () => {
    expect(processTerm('al-Assad')).toEqual(['alassad', 'al', 'assad'])
    expect(analyze('Bashar al-Assad')).toEqual(expect.arrayContaining(['assad', 'alassad']))
  })

  it('keeps numbers, with their decimal and thousands separators', () => {
    expect(analyze(REUTERS)).toEqual(expect.arrayContaining(['22', '155,221', '60', '5.93']))
  })

  it('drops stop words and stems English', () => {
    const terms = analyze(SEED)
    expect(terms).not.toContain('and')
    expect(terms).not.toContain('on')
    expect(terms).toEqual(expect.arrayContaining(['minist', 'defens', 'putin', 'moscow']))
    expect(analyze('prices')).toEqual(analyze('price'))
  })
})

describe('scanTokens', () => {
  const scanned = (text: string, maxChars?: number) => {
    const tokens: [number, number, boolean][] = []
    const truncated = scanTokens(text, (start, end, joined) => void tokens.push([start, end, joined]), maxChars)
    return { tokens, truncated }
  }
  const viaRegex = (text: string) => tokenizeWithOffsets(text).map((t): [number, number, boolean] => [t.start, t.end, /[^\p{L}\p{N}\p{M}]/u.test(t.text)])

  it('finds the tokens of the regex on the seed and on Reuters', () => {
    expect(scanned(SEED).tokens).toEqual(viaRegex(SEED))
    expect(scanned(REUTERS).tokens).toEqual(viaRegex(REUTERS))
    expect(scanned(REUTERS).tokens.map(([s, e]) => REUTERS.slice(s, e))).toContain('155,221')
  })

  it('finds the tokens of the regex on 3,000 generated texts of joiners, digits, marks, astral letters and lone surrogates', () => {
    // Characters where the hand-written loop could part from TOKEN_PATTERN.
    const alphabet = ['a', 'Z', '7', '٣', '²', 'é', '\u0301', '𝐀', '😀', '\ud800', '\udc00', "'", '’', '‘', '-', '‐', '‑', '.', ',', ' ', '\n', '_', '$']
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join('')
        expect(scanned(text).tokens).toEqual(viaRegex(text))
      }),
      { numRuns: 3000, seed: 20261126 },
    )
  })

  it('stops before maxChars and says so', () => {
    const { tokens, truncated } = scanned(SEED, 20)
    expect(tokens.map(([s, e]) => SEED.slice(s, e))).toEqual(['President', 'Vladimir', 'Putin'])
    expect(truncated).toBe(true)
    expect(scanned(SEED, SEED.length).truncated).toBe(false)
  })
})
