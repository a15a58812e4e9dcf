import { describe, expect, it } from 'vitest'
import { CURRENT, describe as label, neighbours, parseBm25, parseBoost, recoordinate, sStem } from '../../eval/tune'
import { parsePrf } from '../../eval/engine-tune'
import { FEEDBACK } from '../../eval/feedback'

describe('tuning settings', () => {
  it('parses boosts and BM25 parameters over a base, and rejects unknown keys', () => {
    expect(parseBoost('title=1,body=2', CURRENT.boost)).toEqual({ title: 1, summary: 1.5, topics: 1.5, body: 2 })
    expect(parseBm25('k=0.9,b=0.4', CURRENT.bm25)).toEqual({ k: 0.9, b: 0.4, d: 0.5 })
    expect(() => parseBoost('heading=2', CURRENT.boost)).toThrow(/unknown field/)
    expect(() => parseBm25('k1=2', CURRENT.bm25)).toThrow(/unknown parameter/)
    expect(() => parseBm25('k=x', CURRENT.bm25)).toThrow(/bad key=value/)
  })

  it('labels only what differs from the current ranking', () => {
    expect(label(CURRENT)).toBe('current')
    expect(label({ ...CURRENT, coord: 0.5, boost: { ...CURRENT.boost, title: 1 } })).toBe('boost t1/s1.5/t1.5/b1, coord 0.5')
    expect(label({ ...CURRENT, flat: true, fieldB: { title: 0.3 } })).toBe('flat, b title=0.3')
  })

  it('parses a PRF setting over the Worker-side defaults (eval/engine-tune.ts --prf)', () => {
    expect(parsePrf('5,20,0.3')).toEqual({ ...FEEDBACK, docs: 5, terms: 20, weight: 0.3, method: 'rm3' })
    expect(parsePrf('bo1:10,10,0.2,1,1,1')).toEqual({ docs: 10, terms: 10, weight: 0.2, minTerms: 1, maxDf: 1, minDocs: 1, method: 'bo1' })
    expect(() => parsePrf('5,x,0.3')).toThrow(/--prf: bad/)
  })

  it('lists neighbours one dimension at a time, without the setting itself', () => {
    const around = neighbours(CURRENT)
    expect(around.some((s) => JSON.stringify(s) === JSON.stringify(CURRENT))).toBe(false)
    expect(around.every((s) => label(s) !== 'current')).toBe(true)
    expect(around.filter((s) => s.coord !== CURRENT.coord).map((s) => s.coord)).toEqual([0, 0.25, 0.5, 0.75])
  })
})

describe('recoordinate', () => {
  const results = [
    { id: 'a', score: 3 * 2, queryTerms: ['x', 'y', 'z'] }, // sum 2 over 3 terms
    { id: 'b', score: 1 * 5, queryTerms: ['x'] }, // sum 5 over 1 term
  ]
  it('keeps MiniSearch\'s sum × q for c = 1', () => {
    expect(recoordinate(results, 1).map((r) => r.id)).toEqual(['a', 'b'])
  })
  it('rescores as sum × q^c and re-sorts', () => {
    expect(recoordinate(results, 0).map((r) => [r.id, r.score])).toEqual([['b', 5], ['a', 2]])
    expect(recoordinate(results, 0.5)[1]!.score).toBeCloseTo(2 * Math.sqrt(3), 12)
  })
})

describe('sStem', () => {
  it('removes plurals only', () => {
    expect(['studies', 'cases', 'mice', 'glass', 'virus', 'genes', 'proteins', 'is'].map(sStem)).toEqual(['study', 'case', 'mice', 'glass', 'virus', 'gene', 'protein', 'is'])
  })
})
