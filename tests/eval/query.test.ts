import { describe, expect, it } from 'vitest'
import { MAX_QUERY_LENGTH, fitQuery } from '../../eval/query'

describe('fitQuery', () => {
  it('keeps a query that fits, with whitespace collapsed', () => {
    expect(fitQuery('  gold   prices \n')).toEqual({ q: 'gold prices', truncated: false })
    const exact = 'a'.repeat(MAX_QUERY_LENGTH)
    expect(fitQuery(exact)).toEqual({ q: exact, truncated: false })
  })

  it('cuts a long query at the last word boundary within the limit', () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}x`) // 4–5 characters each
    const { q, truncated } = fitQuery(words.join(' '))
    expect(truncated).toBe(true)
    expect(q.length).toBeLessThanOrEqual(MAX_QUERY_LENGTH)
    expect(words.join(' ').startsWith(q)).toBe(true)
    expect(words).toContain(q.split(' ').at(-1)) // the last word is whole
  })

  it('keeps a word that ends exactly at the limit', () => {
    const text = `${'a'.repeat(195)} bbbb cc`
    expect(fitQuery(text).q).toBe(`${'a'.repeat(195)} bbbb`)
  })

  it('hard-cuts a single overlong word without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(199)}😀tail`
    const { q } = fitQuery(text)
    expect(q).toBe('a'.repeat(199))
    expect(fitQuery('b'.repeat(300)).q).toBe('b'.repeat(200))
  })
})
