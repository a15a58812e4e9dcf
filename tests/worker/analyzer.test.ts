import { describe, expect, it } from 'vitest'
import { analyze, fold, processTerm, tokenize, tokenizeWithOffsets } from '../../src/analyzer'

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
